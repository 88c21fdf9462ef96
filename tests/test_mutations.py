"""tools/mutate.py proves that the tests catch each realistic bug of review §4 (run it by hand: it runs the unit
tests once per mutation). This keeps it from rotting: every mutation must still apply to the current code."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_mutation_still_applies():
    run = subprocess.run([sys.executable, "tools/mutate.py", "--list"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("applies:") >= 18
