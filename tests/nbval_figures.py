"""Figure check for nbval: compare every PNG a notebook cell draws with the stored one.

nbval re-executes each notebook and compares the *text* outputs of every code cell, but it skips
``image/png`` entirely. This pytest plugin hooks into the same execution (no second run of the
notebook): after nbval has run a cell and found its text outputs equal, the PNGs the cell produced
are compared, in order, with the PNGs stored in the notebook, using
:func:`matplotlib.testing.compare.compare_images` with an RMS tolerance (``--nbval-figure-tol``).

A cell fails when

* it produces a different number of figures than it stored (a missing or extra figure), or
* a figure has a different size in pixels, or
* a figure differs from the stored one by more than the tolerance (RMS over 0-255 pixel values).

Exempt are cells nbval does not check (tags ``nbval-skip`` / ``nbval-ignore-output``, the comment
markers ``# NBVAL_SKIP`` / ``# NBVAL_IGNORE_OUTPUT``, ``--nbval-lax`` mode), cells that were never
run, and cells tagged ``nbval-ignore-figure`` (text still checked, figures not).

The expected, actual and diff images of a failing figure are kept in ``--nbval-figure-dir``
(default: a fresh temporary directory) and the failure message names them.

Loaded by ``tests/conftest.py`` (``pytest_plugins``); outside this repository use ``-p nbval_figures``
with ``tests/`` on ``PYTHONPATH``.
"""

from __future__ import annotations

import base64
import re
import tempfile
from pathlib import Path

import pytest

IGNORE_FIGURE_TAG = "nbval-ignore-figure"
DEFAULT_TOLERANCE = 2.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nbval", "Jupyter Notebook validation")
    group.addoption(
        "--nbval-figure-tol",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"RMS tolerance (0-255 scale) for PNG outputs versus the stored ones (default {DEFAULT_TOLERANCE}).",
    )
    group.addoption(
        "--nbval-figure-dir",
        default=None,
        help="Directory for the expected/actual/diff images of compared figures (default: a temporary directory).",
    )
    group.addoption(
        "--nbval-no-figures",
        action="store_true",
        help="Do not compare PNG outputs (text outputs are still checked by nbval).",
    )


def _png_outputs(outputs) -> list[str]:
    """The base64 PNGs of a cell's outputs, in order."""
    return [
        out["data"]["image/png"]
        for out in outputs or []
        if out.get("output_type") in ("display_data", "execute_result") and "image/png" in out.get("data", {})
    ]


def _is_figure_checked(item) -> bool:
    options = item.options
    if options.get("skip") or not options.get("check"):
        return False
    if IGNORE_FIGURE_TAG in item.cell.metadata.get("tags", []):
        return False
    return item.cell.execution_count is not None  # nbval does not check cells that were never run


def _figure_dir(config: pytest.Config, item) -> Path:
    base = config.getoption("nbval_figure_dir")
    if base is None:
        base = getattr(config, "_nbval_figure_tmpdir", None)
        if base is None:
            base = config._nbval_figure_tmpdir = tempfile.mkdtemp(prefix="nbval-figures-")
    notebook = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(str(item.fspath)).stem)
    directory = Path(base) / notebook
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def compare_cell_figures(item, tolerance: float) -> list[str]:
    """Compare the PNGs of an executed nbval cell with the stored ones; return the problems found."""
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    expected = _png_outputs(item.cell.outputs)
    actual = _png_outputs(item.test_outputs)
    if not expected and not actual:
        return []
    if len(expected) != len(actual):
        return [
            f"the cell stored {len(expected)} figure(s) (image/png) but drew {len(actual)} now "
            "(a figure is missing or was added)"
        ]

    directory = _figure_dir(item.config, item)
    problems = []
    for index, (expected_png, actual_png) in enumerate(zip(expected, actual, strict=True)):
        stem = f"cell{item.cell_num:03d}-figure{index}"
        expected_path = directory / f"{stem}-expected.png"
        actual_path = directory / f"{stem}-actual.png"
        expected_path.write_bytes(base64.b64decode(expected_png))
        actual_path.write_bytes(base64.b64decode(actual_png))
        try:
            result = compare_images(str(expected_path), str(actual_path), tol=tolerance, in_decorator=True)
        except ImageComparisonFailure as error:  # raised for a different image size
            problems.append(f"figure {index}: {error}; expected {expected_path}, actual {actual_path}")
            continue
        if result is not None:
            problems.append(
                f"figure {index} differs from the stored one: RMS {result['rms']:.2f} > tolerance {tolerance:g}; "
                f"expected {expected_path}, actual {actual_path}, diff {result['diff']}"
            )
        else:
            expected_path.unlink()
            actual_path.unlink()
    return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield  # nbval executes the cell and compares its text outputs here; a failure raises
    try:
        from nbval.plugin import IPyNbCell, NbCellError
    except ImportError:  # nbval not installed: nothing to do
        return result
    if not isinstance(item, IPyNbCell) or item.config.getoption("nbval_no_figures"):
        return result
    if item.test_outputs is None or not _is_figure_checked(item):
        return result
    tolerance = item.config.getoption("nbval_figure_tol")
    problems = compare_cell_figures(item, tolerance)
    if problems:
        report = [f"Figure check (image/png, RMS tolerance {tolerance:g}):", *("  " + p for p in problems)]
        report.append(
            "If the change is intended, regenerate the stored outputs (make notebooks); "
            f"to exempt this cell's figures, tag it '{IGNORE_FIGURE_TAG}'."
        )
        raise NbCellError(item.cell_num, "Cell figures differ", item.cell.source, "\n".join(report))
    return result
