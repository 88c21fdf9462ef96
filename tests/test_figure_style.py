"""The stored figures follow the house style: sharp (stored at twice the displayed resolution), no wider than
a page of the book (so they are shown at their own size, text at the style's size), no text set below 9 pt."""

import base64
import json
import re
import struct
from pathlib import Path

import pytest

from nnopt.plot import MAX_WIDTH, STYLE

BOOK = Path(__file__).resolve().parents[1] / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
DPI = STYLE["figure.dpi"]


def png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", raw[16:24])


def figures(path):
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                yield i, out["data"]["image/png"], out.get("metadata", {}).get("image/png", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_are_stored_at_twice_their_displayed_size_and_fit_the_page(path):
    problems = []
    for i, png, meta in figures(path):
        width, height = png_size(png)
        shown = meta.get("width")
        if shown is None or abs(width - 2 * shown) > 2:
            problems.append(f"cell {i}: {width}x{height} px stored, shown at {shown} px: not stored at 2x")
        elif shown > MAX_WIDTH * DPI + 20:  # + the margin that the "tight" bounding box may add
            problems.append(f"cell {i}: shown {shown} px wide, wider than a page ({MAX_WIDTH * DPI:.0f} px); the "
                            f"browser would shrink its text")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_text_is_set_below_9_points(path):
    small = []
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "code":
            for size in re.findall(r"fontsize\s*=\s*([0-9.]+)", "".join(cell["source"])):
                if float(size) < 9:
                    small.append(f"cell {i}: fontsize={size}")
    assert not small, small


def test_the_style_sets_legible_sizes():
    for key in ("font.size", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize"):
        assert STYLE[key] >= 9, key
    assert STYLE["savefig.dpi"] >= 2 * DPI
