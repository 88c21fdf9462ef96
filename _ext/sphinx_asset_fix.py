"""Backport of Sphinx PR #13402 (fixed in Sphinx 8.2) to the pinned Sphinx 7.4.

An inline script added with ``app.add_js_file(None, body=...)`` after the HTML builder starts is registered
twice, once under the filename ``None`` and once under ``''``, so every page carried it twice. For
sphinx-thebe's ``const THEBE_JS_URL = ...`` the second copy is a JavaScript error on every page ("Identifier
'THEBE_JS_URL' has already been declared"). Treating ``None`` as ``''`` lets Sphinx's own de-duplication work.
"""

from sphinx.builders.html import StandaloneHTMLBuilder

_add_js_file = StandaloneHTMLBuilder.add_js_file


def _add_js_file_once(self, filename, **kwargs):
    return _add_js_file(self, filename or "", **kwargs)


def setup(app):
    StandaloneHTMLBuilder.add_js_file = _add_js_file_once
    return {"parallel_read_safe": True, "parallel_write_safe": True}
