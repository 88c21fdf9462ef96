"""Re-execute notebooks in place so that their stored outputs are regenerated (`make notebooks`).

Runs each notebook top to bottom in a fresh kernel, in the notebook's own directory (as nbval does),
with the environment the Makefile sets, and writes the outputs back. No timing metadata is recorded, so
a re-run that reproduces the outputs leaves the file unchanged apart from genuine differences.

    python tests/execute_notebooks.py book/*.ipynb [--timeout 600] [--kernel python3]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# TensorFlow's C++ start-up lines (absl logging) reach a kernel's stderr before TF_CPP_MIN_LOG_LEVEL applies,
# depending on how the kernel's output is captured; they are not part of a chapter (nbval does not see them).
TF_LOG_LINE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called.*|[IWEF]\d{4} .*)$")

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def execute(path: Path, timeout: int, kernel_name: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel_name,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not _only_tf_log(out)]
    notebook.metadata["kernelspec"] = dict(KERNELSPEC, name=kernel_name)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


def _only_tf_log(output) -> bool:
    if output.get("output_type") != "stream" or output.get("name") != "stderr":
        return False
    lines = [line for line in output.get("text", "").splitlines() if line.strip()]
    return bool(lines) and all(TF_LOG_LINE.match(line) for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    parser.add_argument("--kernel", default="python3", help="kernel name (default python3, the venv's kernel)")
    args = parser.parse_args(argv)

    if os.environ.get("MPLBACKEND", "").lower() == "agg":
        # ipykernel would keep Agg and no figure would be stored.
        del os.environ["MPLBACKEND"]
    failed = []
    for path in args.notebooks:
        start = time.perf_counter()
        print(f"executing {path} ...", end=" ", flush=True)
        try:
            execute(path, args.timeout, args.kernel)
        except Exception as error:  # report every failing notebook, then fail
            print("FAILED")
            print(f"{type(error).__name__}: {error}", file=sys.stderr)
            failed.append(path)
        else:
            print(f"done in {time.perf_counter() - start:.1f} s")
    if failed:
        print("failed: " + ", ".join(map(str, failed)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
