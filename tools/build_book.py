"""Build both editions of the book: English into _build/html, Chinese into _build/html/zh (`make book`).

The Chinese edition is the same pages and the same stored outputs, with every message replaced by its
translation from locales/zh_CN (tools/edition.py writes its configuration). Both builds are nitpicky and turn
warnings into errors. Exit status: 0 when both built without a warning.

    python tools/build_book.py            # both editions
    python tools/build_book.py --en      # the English edition only
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ZH = ROOT / "_build" / "zh"

sys.path.insert(0, str(ROOT / "tools"))
import edition  # noqa: E402


def jupyter_book(*args: str) -> int:
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-n", "-W", "--keep-going",
               *args]
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main(argv: list[str]) -> int:
    code = jupyter_book()
    if code or "--en" in argv:
        return code
    edition.main([str(ZH / "_config.yml")])
    code = jupyter_book("--config", str(ZH / "_config.yml"), "--toc", str(ZH / "_toc.yml"), "--path-output", str(ZH))
    if code:
        return code
    shutil.rmtree(HTML / "zh", ignore_errors=True)
    shutil.copytree(ZH / "_build" / "html", HTML / "zh")
    print(f"Chinese edition: {HTML / 'zh' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
