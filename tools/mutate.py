"""Mutation check: does the test suite catch realistic bugs in nnopt's optimizers?

Each mutation is one source edit of nnopt's optimizer code. For each, the repository is copied to a temporary
directory (the working tree is never modified), the edit is applied there, and the unit tests are run against the
mutated copy:

    pytest -x -q tests/test_keras_equivalence.py tests/test_*.py      (the package's tests: not the notebooks, the
                                                                      browser or the build)

A mutation is *caught* when a test fails. The script prints a table (mutation → caught/missed, by which test) and
exits 1 if any mutation is missed, 2 if a mutation no longer applies (its pattern is not found exactly once: the
code moved; re-target the pattern).

    .venv/bin/python tools/mutate.py              # all mutations
    .venv/bin/python tools/mutate.py -k adam      # those whose name contains "adam"
    .venv/bin/python tools/mutate.py --list       # check that every pattern applies, run nothing
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache")
TESTS = ["tests/test_keras_equivalence.py", "tests/test_*.py"]
# tests of the book and its build, not of the package: they need the built book, a browser or the notebooks
NOT_PACKAGE_TESTS = {"tests/test_browser.py", "tests/test_commands.py", "tests/test_figure_check.py",
                     "tests/test_figure_style.py", "tests/test_mutations.py"}


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the repository root
    old: str  # exact text (or a regular expression with regex=True) that must occur exactly once
    new: str
    regex: bool = False


# targets: the package nnopt/optim/ (since "optim: a package with one file per family", 4e286c9)
BASE, SGD, ADAPTIVE, ADAM, TEXTBOOK = (f"nnopt/optim/{f}.py" for f in ("base", "sgd", "adaptive", "adam", "textbook"))
ALPHA_T = "alpha_t = lr * np.sqrt(1 - x(b2) ** x(t)) / (1 - x(b1) ** x(t))"

MUTATIONS = [
    Mutation("Adam without bias correction", ADAM, ALPHA_T, "alpha_t = lr"),
    Mutation("Adam ε inside √", ADAM,
             "theta[i] -= m[i] * alpha_t / (np.sqrt(v[i]) + epsilon)",
             "theta[i] -= m[i] * alpha_t / np.sqrt(v[i] + epsilon)"),
    Mutation("Nesterov ignored", SGD, "if nesterov:", "if False:"),
    Mutation("step counter off by one (Adam's t)", ADAM,
             "b1, b2, t, x = self.beta_1, self.beta_2, self.iterations + 1,",
             "b1, b2, t, x = self.beta_1, self.beta_2, self.iterations + 2,"),
    Mutation("step counter off by one (schedule)", BASE,
             "value = self._schedule(self.iterations)", "value = self._schedule(self.iterations + 1)"),
    Mutation("EMA β/1−β swapped (EMAMomentum)", TEXTBOOK,
             "g_bar[...] = self.beta * g_bar + (1 - self.beta) * g",
             "g_bar[...] = (1 - self.beta) * g_bar + self.beta * g"),
    Mutation("EMA β/1−β swapped (Adam's m)", ADAM, "alpha_t, x(1 - b1), x(1 - b2)", "alpha_t, x(b1), x(1 - b2)"),
    Mutation("NaN check removed", BASE, "if not _all_finite((g_b, *live)):", "if not _all_finite(live):"),
    Mutation("weight decay applied after the update", BASE,
             r"( +)if self\.weight_decay:\n( +)(self\._decay\(theta, lr\))\n +"
             r"(self\.update\(theta, g, state, lr\))",
             r"\1\4\n\1if self.weight_decay:\n\2\3", regex=True),
    Mutation("AMSGrad max ignored", ADAM,
             "v_max[i] = np.maximum(v_max[i], v[i])", "v_max[i] = v[i]"),
    Mutation("RMSprop centered sign flipped", ADAPTIVE,
             "np.sqrt(s - g_bar * g_bar + self.epsilon)", "np.sqrt(s + g_bar * g_bar + self.epsilon)"),
    Mutation("Adagrad initial accumulator 0", ADAPTIVE,
             "np.full_like(theta, self.initial_accumulator_value)", "np.zeros_like(theta)"),
    Mutation("clipnorm with ‖g‖² instead of ‖g‖", BASE,
             "np.maximum(np.sqrt(np.sum(np.square(g))), self.clipnorm)",
             "np.maximum(np.sum(np.square(g)), self.clipnorm)"),
    Mutation("rollback copy of large blocks skipped", BASE,
             "_stream_copy(saved.reshape(-1).view(uint), live.reshape(-1).view(uint))", "pass"),
    Mutation("last chunk skipped", BASE,
             "for i in range(0, theta.size, m)]", "for i in range(0, theta.size - m, m)]"),
    Mutation("wrong default: Adam ε 1e-8", ADAM,
             r"(\n +)epsilon: float = 1e-7, amsgrad", r"\1epsilon: float = 1e-8, amsgrad", regex=True),
    Mutation("wrong default: RMSprop ρ 0.95", ADAPTIVE, "rho: float = 0.9,", "rho: float = 0.95,"),
    Mutation("wrong default: Adagrad initial accumulator 0.0", ADAPTIVE,
             "initial_accumulator_value: float = 0.1", "initial_accumulator_value: float = 0.0"),
    Mutation("Adam α in float64, divide before multiply", ADAM, ALPHA_T,
             "alpha_t = lr * (np.sqrt(1 - b2 ** t) / (1 - b1 ** t))"),
]


class DoesNotApply(Exception):
    pass


def mutate(text: str, m: Mutation) -> str:
    """The mutated text; the pattern must occur exactly once."""
    if m.regex:
        count = len(re.findall(m.old, text))
    else:
        count = text.count(m.old)
    if count != 1:
        found = "not found" if count == 0 else f"found {count} times (must be unique)"
        raise DoesNotApply(f"mutation {m.name!r} does not apply: pattern {found} in {m.path}:\n    {m.old!r}")
    return re.sub(m.old, m.new, text) if m.regex else text.replace(m.old, m.new)


def run_tests(copy: Path) -> tuple[bool, str]:
    """(caught, by which test) for the tests run in ``copy``."""
    env = {**os.environ, "PYTHONPATH": f"{copy}{os.pathsep}{copy / 'tests'}", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider", "-p", "no:randomly",
           *sorted({str(p.relative_to(copy)) for pat in TESTS for p in copy.glob(pat)} - NOT_PACKAGE_TESTS,
                   key=lambda p: (p != TESTS[0], p))]
    proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True)
    failed = re.findall(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", proc.stdout, flags=re.M)  # ids may hold spaces
    if proc.returncode == 0:
        return False, ""
    if failed:
        return True, failed[0]
    return True, f"pytest exit {proc.returncode}: " + (proc.stdout + proc.stderr).strip().splitlines()[-1]


def check_imports_copy(copy: Path) -> None:
    """The tests must import nnopt from the copy, not from the editable install."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    out = subprocess.run([sys.executable, "-c", "import nnopt; print(nnopt.__file__)"], cwd=copy, env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    if not Path(out).resolve().is_relative_to(copy.resolve()):
        sys.exit(f"the mutated copy is not what Python imports (nnopt from {out}); cannot run mutations")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", default="", help="only mutations whose name contains this (case-insensitive)")
    parser.add_argument("--list", action="store_true", help="check that every mutation applies; run no tests")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.k.lower() in m.name.lower()]

    # every pattern must apply before anything runs: a stale pattern fails loudly, naming the mutation and file
    problems = []
    for m in chosen:
        try:
            mutate((ROOT / m.path).read_text(), m)
        except (DoesNotApply, FileNotFoundError) as e:
            problems.append(str(e))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(f"applies: {m.name} ({m.path})" for m in chosen))
        return 0

    rows = []
    with tempfile.TemporaryDirectory(prefix="nnopt-mutate-") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(ROOT, copy, ignore=IGNORE)
        check_imports_copy(copy)
        for m in chosen:
            target = copy / m.path
            original = target.read_text()
            target.write_text(mutate(original, m))
            start = time.perf_counter()
            try:
                caught, by = run_tests(copy)
            finally:
                target.write_text(original)
            rows.append((m.name, caught, by, time.perf_counter() - start))
            print(f"{'caught' if caught else 'MISSED'}  {m.name}  ({rows[-1][3]:.0f} s)", file=sys.stderr, flush=True)
        # the unmutated code must pass, or every "caught" above means nothing
        clean, by = run_tests(copy)
        if clean:
            print(f"the unmutated code fails the tests ({by}); the table is meaningless", file=sys.stderr)
            return 2

    width = max(len(r[0]) for r in rows)
    print(f"\n| {'mutation':<{width}} | result | caught by |")
    print(f"|{'-' * (width + 2)}|--------|-----------|")
    for name, caught, by, _ in rows:
        print(f"| {name:<{width}} | {'caught' if caught else 'MISSED'} | {by or '–'} |")
    missed = [r[0] for r in rows if not r[1]]
    print(f"\n{len(rows) - len(missed)} of {len(rows)} mutations caught" + (f"; missed: {missed}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
