"""The Chinese edition (`_build/html/zh`) in the browser, with the checker of tests/test_browser.py.

Every page of the Chinese edition passes the same checks as the English one (formulas typeset, images decoded, no
request leaves file://, no console error, links resolve); every chapter links to the same chapter in the other
edition, both ways; and a Chinese page is in Chinese, drawn with a CJK font (`apt-get install fonts-noto-cjk`),
not as missing-glyph boxes. A separate file so that pytest-xdist runs it beside the English pages.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import test_browser as tb
from test_browser import _INSPECT, CHAPTERS, HTML, PAGES, PAGES_ZH

built_book, driver = tb.built_book, tb.driver  # the fixtures of the English checks, a browser of its own


# Draws two different Chinese characters on a canvas with the page's body font: without a CJK font both are the same
# missing-glyph box.
_CJK_DRAWN = """
const font = getComputedStyle(document.body).fontSize + " " + getComputedStyle(document.body).fontFamily;
const draw = ch => { const c = document.createElement("canvas"); c.width = 64; c.height = 64;
  const x = c.getContext("2d"); x.font = font; x.fillText(ch, 4, 48); return c.toDataURL(); };
return draw("梯") !== draw("度");
"""


def cjk_font_installed() -> bool:
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip())


@pytest.mark.parametrize("page", PAGES_ZH)
def test_page(driver, page):
    """The checks of every English page; a chapter's prose must also be Chinese, drawn with a CJK font (checked on
    the same loaded page). The references of the bibliography keep their own language: only its title counts."""
    tb.assert_page_ok(driver, page)
    chapter = page.removeprefix("zh/")
    if chapter not in CHAPTERS:
        return
    text = driver.execute_script(_INSPECT)["text"]
    if chapter.endswith("bibliography.html"):
        text = driver.execute_script("return document.querySelector('main h1').textContent")
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    latin = sum(ch.isascii() and ch.isalpha() for ch in text)
    assert cjk > latin / 2, f"{page}: {cjk} Chinese characters but {latin} Latin letters outside code and math"
    if cjk_font_installed():
        assert driver.execute_script(_CJK_DRAWN), f"{page}: Chinese characters are drawn as missing-glyph boxes"


def test_a_cjk_font_is_installed():
    if not cjk_font_installed():
        pytest.skip("no CJK font installed, so the Chinese pages are not checked for missing-glyph boxes: "
                    "apt-get install fonts-noto-cjk")


def test_every_english_page_has_a_chinese_one(built_book):
    assert [p for p in PAGES if not (HTML / "zh" / p).is_file()] == []


@pytest.mark.parametrize("page", CHAPTERS)
def test_page_links_to_the_other_edition(built_book, page):
    """Each chapter page links to the same page in the other edition, both ways."""
    for here, there in ((page, f"zh/{page}"), (f"zh/{page}", page)):
        links = re.findall(r'<p class="edition-switch"[^>]*><a [^>]*href="([^"]+)"', (HTML / here).read_text("utf-8"))
        assert len(links) == 1, f"{here}: {len(links)} edition links"
        assert ((HTML / here).parent / links[0]).resolve() == (HTML / there).resolve(), (here, links[0])
