"""Proof that the notebook check catches what it must: changed figures, missing figures, changed text.

A small notebook that prints a number and plots a line is executed once (outputs stored, like a chapter),
then copies of it with one deliberate change each are validated by pytest + nbval + the figure check in a
subprocess, exactly as `make test` validates the book.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

TESTS = Path(__file__).resolve().parent

SETUP = "import matplotlib.pyplot as plt\nimport numpy as np"
DATA = 'x = np.linspace(0.0, 1.0, 50)\ny = x**2\nprint(f"sum of y: {y.sum():.3f}")'
PLOT = 'fig, ax = plt.subplots(figsize=(4, 3))\nax.plot(x, y, color="C0")\nax.set_title("y = x²")\nplt.show()'

# name: (edited source of the data cell, edited source of the plot cell, tags of the plot cell)
VARIANTS = {
    "colour": (DATA, PLOT.replace('color="C0"', 'color="C1"'), []),
    "data": (DATA, PLOT.replace("ax.plot(x, y,", "ax.plot(x, y + 0.02,"), []),
    "missing": (DATA, PLOT.replace("plt.show()", "plt.close(fig)"), []),
    "text": (DATA.replace("y.sum()", "y.sum() + 0.001"), PLOT, []),
    "ignored": (DATA, PLOT.replace('color="C0"', 'color="C1"'), ["nbval-ignore-figure"]),
}
EXPECTED_FAILURE = {  # name: a phrase the failure report must contain
    "colour": "figure 0 differs from the stored one: RMS",
    "data": "figure 0 differs from the stored one: RMS",
    # nbval already notices the missing "<Figure size ...>" text/plain that accompanies the PNG
    "missing": "Missing output fields from running code: {'text/plain'}",
    "text": "sum of y: 16.838",  # nbval's text comparison: stored 16.837, now 16.838
}


def _notebook(data: str, plot: str, plot_tags: list[str]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_code_cell(data),
        nbformat.v4.new_code_cell(plot, metadata={"tags": plot_tags} if plot_tags else {}),
    ]
    return notebook


def _execute(notebook: nbformat.NotebookNode, cwd: Path) -> None:
    """Store outputs the way nbval will recompute them: a kernel of this very Python."""
    kernel_manager = KernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME, kernel_spec_manager=NbvalKernelspecManager())
    NotebookClient(notebook, km=kernel_manager, timeout=120, resources={"metadata": {"path": str(cwd)}}).execute()


def _run_pytest(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    env.pop("MPLBACKEND", None)
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-p", "nbval_figures", "-p", "no:cacheprovider", "-p", "no:xdist"]
    command += ["--nbval", "--nbval-current-env", "--color=no", "-q", "--rootdir", str(cwd)]
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> Path:
    """The reference notebook, executed once, and one edited copy per variant (stored outputs unchanged)."""
    root = tmp_path_factory.mktemp("figure-check")
    reference = _notebook(DATA, PLOT, [])
    _execute(reference, root)
    assert [len(cell.outputs) for cell in reference.cells] == [0, 1, 1], "fixture notebook did not execute as planned"
    assert "image/png" in reference.cells[2].outputs[0].data, "no inline PNG: is MPLBACKEND set for the kernel?"
    (root / "unchanged").mkdir()
    nbformat.write(reference, root / "unchanged" / "unchanged.ipynb")
    (root / "variants").mkdir()
    for name, (data, plot, tags) in VARIANTS.items():
        variant = nbformat.from_dict(reference)  # a deep copy, with the reference's stored outputs
        variant.cells[1].source, variant.cells[2].source = data, plot
        variant.cells[2].metadata["tags"] = tags
        nbformat.write(variant, root / "variants" / f"{name}.ipynb")
    return root


@pytest.fixture(scope="module")
def variant_results(notebooks: Path) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Validate all variants in one pytest run; map each notebook to its failure report ('' if it passed)."""
    junit = notebooks / "variants.xml"
    run = _run_pytest("variants", f"--junitxml={junit}", "--nbval-figure-dir", notebooks / "figures", cwd=notebooks)
    failures: dict[str, str] = {name: "" for name in VARIANTS}
    for case in ET.parse(junit).iter("testcase"):
        name = case.get("classname", "").split(".")[1]  # "variants.colour.ipynb"
        for failure in [*case.iter("failure"), *case.iter("error")]:
            failures[name] += (failure.get("message") or "") + (failure.text or "")
    return run, failures


def test_unchanged_notebook_passes(notebooks: Path) -> None:
    run = _run_pytest("unchanged", cwd=notebooks)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout


def test_run_with_changed_notebooks_fails(variant_results) -> None:
    run, _ = variant_results
    assert run.returncode == 1, run.stdout + run.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED_FAILURE))
def test_change_is_caught(variant_results, name: str) -> None:
    run, failures = variant_results
    assert failures[name], f"{name}: the change was not caught\n{run.stdout}"
    assert EXPECTED_FAILURE[name] in failures[name], failures[name]
    if name in ("colour", "data"):
        assert "Cell figures differ" in failures[name]
        assert "Cell 2" in run.stdout and f"{name}.ipynb" in run.stdout


def test_ignore_figure_tag_exempts_the_cell(variant_results) -> None:
    run, failures = variant_results
    assert failures["ignored"] == "", failures["ignored"]


def test_figure_count_mismatch_is_reported(notebooks: Path, tmp_path: Path) -> None:
    """A missing or extra PNG fails even when nbval's text comparison would not notice."""
    from types import SimpleNamespace

    from nbval_figures import compare_cell_figures

    stored = nbformat.read(notebooks / "unchanged" / "unchanged.ipynb", as_version=4).cells[2]
    config = SimpleNamespace(getoption=lambda name: str(tmp_path) if name == "nbval_figure_dir" else None)
    item = SimpleNamespace(cell=stored, cell_num=2, config=config, fspath=notebooks / "unchanged.ipynb")

    item.test_outputs = stored.outputs
    assert compare_cell_figures(item, tolerance=0.0) == []
    item.test_outputs = []
    assert compare_cell_figures(item, tolerance=3.0) == [
        "the cell stored 1 figure(s) (image/png) but drew 0 now (a figure is missing or was added)"
    ]
    item.test_outputs = stored.outputs * 2
    assert "drew 2 now" in compare_cell_figures(item, tolerance=3.0)[0]
