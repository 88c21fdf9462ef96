"""Every command README.md and the book's intro tell the reader to type works on a fresh clone.

Commands are taken from ```bash / ```shell code blocks and from inline `make ...` / `.venv/bin/...` spans. A
`make X` must be a target of the Makefile (`make -n X` succeeds) and the files its variables name must exist; a
program from `.venv/bin/` must be installed by `make venv`, i.e. come from a package pinned in requirements.txt.
The intro's "How to run it" block lists the same commands as the README's "Build and test" block.
"""

from __future__ import annotations

import glob
import importlib.metadata as md
import os
import re
import shlex
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "book/intro.md"]
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}


def _strip_comment(line: str) -> str:
    return re.sub(r"(^|\s)#.*$", "", line).strip()


def shell_blocks(text: str) -> list[list[str]]:
    """The commands of each bash/shell fenced block (continuation lines joined, comments removed)."""
    blocks = []
    for language, body in re.findall(r"^```(\w*)[^\n]*\n(.*?)^```", text, flags=re.M | re.S):
        if language.lower() not in SHELL_LANGUAGES:
            continue
        joined = re.sub(r"\\\n\s*", " ", body)
        blocks.append([c for c in (_strip_comment(line.removeprefix("$ ")) for line in joined.splitlines()) if c])
    return blocks


def inline_commands(text: str) -> list[str]:
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return [c.strip() for c in re.findall(r"`((?:make|\.venv/bin/)[^`]*)`", prose) if c.strip() != "make"]


def commands(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    return list(dict.fromkeys([c for block in shell_blocks(text) for c in block] + inline_commands(text)))


ALL = sorted({(doc, command) for doc in DOCS for command in commands(doc)})


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")}


def pinned() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            names.add(_norm(line.split("==")[0]))
    return names


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _console_script_dist(name: str) -> str | None:
    for dist in md.distributions():
        for ep in dist.entry_points:
            if ep.group == "console_scripts" and ep.name == name:
                return _norm(dist.metadata["Name"])
    return None


def check_make(words: list[str]) -> list[str]:
    problems = []
    targets = [w for w in words[1:] if "=" not in w and not w.startswith("-")]
    for assignment in (w for w in words[1:] if "=" in w):
        value = assignment.split("=", 1)[1]
        if "<" not in value:  # <name> is a placeholder for the reader's own file
            problems += [f"{value} does not exist" for v in value.split() if not glob.glob(str(ROOT / v))]
    for target in targets or [""]:
        result = subprocess.run(["make", "-n", *([target] if target else [])], cwd=ROOT, env=_clean_env(),
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            problems.append(f"make -n {target} fails: {result.stderr.strip()[-300:]}")
    return problems


def check_program(words: list[str]) -> list[str]:
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):  # VAR=value prefixes
        words = words[1:]
    program = words[0]
    if not program.startswith(".venv/bin/"):
        return [f"{program}: run it from the venv (.venv/bin/...) or through make"]
    name = program.removeprefix(".venv/bin/")
    if name in ("python", "python3"):
        if "-m" in words:
            module = words[words.index("-m") + 1]
            dists = md.packages_distributions().get(module, [])
            if not {_norm(d) for d in dists} & pinned():
                return [f"python -m {module}: module not provided by a package pinned in requirements.txt"]
        return []
    # `jupyter lab` runs the `jupyter-lab` program
    script = f"{name}-{words[1]}" if name == "jupyter" and len(words) > 1 else name
    dist = _console_script_dist(script)
    if dist not in pinned():
        return [f"{program}: `{script}` is not installed by make venv (from {dist or 'no package'}, "
                "not pinned in requirements.txt)"]
    return []


@pytest.mark.parametrize(("doc", "command"), ALL, ids=[f"{d}:{c}" for d, c in ALL])
def test_command_works_on_a_fresh_clone(doc, command):
    words = shlex.split(command)
    problems = check_make(words) if words[0] == "make" else check_program(words)
    assert not problems, f"{doc}: `{command}`: " + "; ".join(problems)


def test_docs_have_commands():
    for doc in DOCS:
        assert any(c.startswith("make ") for c in commands(doc)), doc


def test_intro_runs_the_book_as_the_readme_says():
    def first_block(doc):
        return shell_blocks((ROOT / doc).read_text(encoding="utf-8"))[0]

    assert first_block("book/intro.md") == first_block("README.md")


def test_checker_rejects_what_the_intro_used_to_say():
    assert check_program(shlex.split(".venv/bin/jupyter lab book/"))  # JupyterLab comes only with `make lab`
    assert check_make(["make", "no-such-target"])
    assert not check_make(["make", "test", "TESTS=book/sgd.ipynb"])


@pytest.mark.parametrize("uid", ["0", "1000"])
def test_make_lab_allows_root_only_as_root(tmp_path, uid):
    fake_id = tmp_path / "id"
    fake_id.write_text(f"#!/bin/sh\necho {uid}\n")
    fake_id.chmod(fake_id.stat().st_mode | stat.S_IEXEC)
    env = _clean_env() | {"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["make", "-n", "lab"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    lab = [line for line in result.stdout.splitlines() if "jupyter lab" in line]
    assert lab and all(("--allow-root" in line) == (uid == "0") for line in lab), result.stdout
