"""A link at the top of every page to the same page in the other edition (English at _build/html/, Chinese at
_build/html/zh/), and the matching <link rel="alternate" hreflang> in the page's head.

The Chinese edition is the same book built with ``language: zh_CN`` (tools/edition.py) and copied into the
English one's ``zh/`` folder by tools/build_book.py, so a page's name is the same in both and only the prefix
differs.
"""

from __future__ import annotations

import html

EDITIONS = {"en": ("English", "en"), "zh_CN": ("中文", "zh-CN")}


def _other_edition(language: str | None, pagename: str) -> tuple[str, str, str]:
    """(relative URL, link text, hreflang) of the page `pagename` in the other edition."""
    up = "../" * pagename.count("/")
    if language == "zh_CN":  # this page is zh/<pagename>.html: one folder deeper than the English one
        return f"../{up}{pagename}.html", *EDITIONS["en"]
    return f"{up}zh/{pagename}.html", *EDITIONS["zh_CN"]


def add_switch(app, pagename, templatename, context, doctree) -> None:
    url, text, hreflang = _other_edition(app.config.language, pagename)
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{hreflang}" href="{html.escape(url)}" />')
    if context.get("body"):
        context["body"] = (f'<p class="edition-switch" style="text-align: right; margin: 0 0 0.5em">'
                           f'<a class="reference internal" lang="{hreflang}" hreflang="{hreflang}" '
                           f'href="{html.escape(url)}">{text}</a></p>\n' + context["body"])


def setup(app):
    app.connect("html-page-context", add_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
