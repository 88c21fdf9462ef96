"""The built book, as a reader sees it: every page opened from disk in headless Chromium with the network cut off.

For each page of `_build/html` (the chapters of `_toc.yml`, the index, search and module-index pages) the checker
asserts: every formula is typeset by MathJax and no raw TeX is left in the text, every image is decoded, no request
leaves file://, the console has no errors, and every internal link and #fragment resolves. The search page must
find "momentum" and an exercise's solution dropdown must open. A screenshot of each page goes to
`_build/screenshots/`. tests/test_browser_zh.py checks the Chinese edition with the same checker. Negative tests
prove the checker reports a page that loads MathJax from a CDN (today's failure offline), a broken image and broken
links.

The book is (re)built by the `built_book` fixture (tools/build_book.py, as `make book`), incrementally, so the pages
always reflect the sources.

The browser is Debian's Chromium and chromedriver (`apt-get install chromium chromium-driver`), driven by selenium
with an explicit driver path; selenium-manager (which would download a driver or a browser) is never run.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import edition  # noqa: E402

HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        "chromium/chromedriver not installed: apt-get install chromium chromium-driver", allow_module_level=True
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.selenium_manager import SeleniumManager  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

LOCAL_SCHEMES = ("file:", "data:", "blob:")
CDN_MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"


CHAPTERS = [f"{page}.html" for page in edition.toc_files()]  # the pages of _toc.yml, in order
PAGES = [*CHAPTERS, "genindex.html", "py-modindex.html", "search.html"]
PAGES_ZH = [f"zh/{page}" for page in PAGES]  # checked by tests/test_browser_zh.py


# --------------------------------------------------------------------------------------------------------------------
# the page checker


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name in ("id", "name") and value)


_ID_CACHE: dict[Path, set[str]] = {}


def ids_of(path: Path) -> set[str]:
    """The ids (fragment targets) in an HTML file, as written by Sphinx."""
    if path not in _ID_CACHE:
        parser = _Ids()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        _ID_CACHE[path] = parser.ids
    return _ID_CACHE[path]


# Waits for MathJax (where the page loads it) and for every image, lazy or not, to load or fail.
_SETTLE = """
const done = arguments[arguments.length - 1];
const images = [...document.images].map(img => { img.loading = "eager"; return img.decode().catch(() => null); });
const mathjax = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([mathjax, ...images]).then(() => done(null), err => done(String(err)));
"""

# What the reader sees, gathered in the page. Text is the body's text without code (pre/code), scripts and styles,
# including collapsed solutions (their formulas must be typeset as well).
_INSPECT = """
const body = document.body.cloneNode(true);
body.querySelectorAll("pre, code, script, style, mjx-assistive-mml").forEach(e => e.remove());
const math = [...document.querySelectorAll(".math")];
return {
  text: body.textContent,
  math: math.length,
  typeset: math.filter(e => e.querySelector("mjx-container")).length,
  containers: document.querySelectorAll("mjx-container").length,
  texErrors: [...document.querySelectorAll("mjx-merror")].map(e => e.getAttribute("data-mjx-error") || e.textContent),
  mathjaxLoaded: !!(window.MathJax && MathJax.startup && MathJax.startup.promise),
  images: [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
  links: [...document.querySelectorAll("a[href]")].map(a => ({raw: a.getAttribute("href"), url: a.href})),
  resources: performance.getEntriesByType("resource").map(e => e.name),
};
"""

_TEX_DELIMITERS = ("\\(", "\\)", "\\[", "\\]", "$$", "\\begin{")


def _snippet(text: str, token: str) -> str:
    i = text.find(token)
    return " ".join(text[max(0, i - 30) : i + 50].split())


def drain_logs(driver) -> None:
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")


def check_page(driver, path: str | Path, wait_for: str | None = None) -> list[str]:
    """Open a page of the built book (a path relative to _build/html, or an absolute file) and list its problems.

    Each problem is "<kind>: <detail>"; kinds: external request, failed to load, console error, math not
    typeset, raw TeX, TeX error, broken image, broken link. `wait_for` is a JavaScript expression the page must
    make true before it is inspected (e.g. search results shown).
    """
    target = Path(path) if Path(path).is_absolute() else HTML / path
    url = target.as_uri() if "?" not in str(path) else (HTML.as_uri() + "/" + str(path))
    drain_logs(driver)
    driver.get(url)
    if wait_for:
        WebDriverWait(driver, 20).until(lambda d: d.execute_script(f"return !!({wait_for});"))
    settle_error = driver.execute_async_script(_SETTLE)
    page = driver.execute_script(_INSPECT)
    problems: list[str] = []
    if settle_error:
        problems.append(f"console error: waiting for MathJax/images failed: {settle_error}")

    # requests: everything the page loaded must come from the book itself
    sent, failed = {}, []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            sent[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.loadingFailed" and not params.get("canceled"):
            failed.append((params["requestId"], params.get("errorText", "")))
    for request_url in sorted(set(sent.values()) | set(page["resources"])):
        if not request_url.startswith(LOCAL_SCHEMES):
            problems.append(f"external request: {request_url}")
    for request_id, error in failed:
        problems.append(f"failed to load: {sent.get(request_id, request_id)} ({error})")

    for entry in driver.get_log("browser"):
        if entry["level"] == "SEVERE":
            problems.append(f"console error: {entry['message']}")

    # math: every formula typeset, no TeX left in the text a reader sees
    if page["math"] and page["typeset"] < page["math"]:
        why = "" if page["mathjaxLoaded"] else " (MathJax did not load)"
        problems.append(f"math not typeset: {page['math'] - page['typeset']} of {page['math']} formulas{why}")
    for token in _TEX_DELIMITERS:
        if token in page["text"]:
            problems.append(f"raw TeX: {token!r} in '{_snippet(page['text'], token)}'")
    problems += [f"TeX error: {error}" for error in page["texErrors"]]

    problems += [f"broken image: {img['src']}" for img in page["images"] if not img["ok"]]

    # links: relative and file:// links must point at an existing file, and at an existing id there
    for link in page["links"]:
        parts = urlsplit(link["url"])
        if parts.scheme != "file":
            continue
        linked = Path(unquote(parts.path))
        if linked.is_dir():
            linked = linked / "index.html"
        if not linked.is_file():
            problems.append(f"broken link: {link['raw']} (no file {linked})")
        elif parts.fragment and linked.suffix == ".html" and unquote(parts.fragment) not in ids_of(linked):
            problems.append(f"broken link: {link['raw']} (no id '{unquote(parts.fragment)}' in {linked.name})")
    return problems


def kinds(problems: list[str]) -> set[str]:
    return {problem.split(":", 1)[0] for problem in problems}


# --------------------------------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def built_book():
    """Build both editions from the current sources (incremental: seconds when nothing changed), once per test run:
    the English and the Chinese browser tests may run side by side (pytest-xdist), so a lock lets one build while
    the other waits, and a marker with the run's id tells the second that the book is fresh."""
    (ROOT / "_build").mkdir(exist_ok=True)
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid {os.getpid()}")
    marker = ROOT / "_build" / ".book-built-by"
    with open(ROOT / "_build" / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text() == run:
            return HTML
        marker.unlink(missing_ok=True)
        result = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "build_book.py")], cwd=ROOT, capture_output=True, text=True,
            check=False,
        )
        if result.returncode == 0:
            marker.write_text(run)
    if result.returncode != 0:
        log = (result.stdout + result.stderr).splitlines()
        problems = [line for line in log if "WARNING" in line or "ERROR" in line or "rror:" in line] or log[-20:]
        pytest.fail("the book does not build (make book):\n" + "\n".join(problems[:20]), pytrace=False)
    return HTML


def _no_selenium_manager(*args, **kwargs):
    raise AssertionError("selenium-manager must not run: the driver path is given explicitly")


@pytest.fixture(scope="module")
def driver(built_book):
    SeleniumManager.binary_paths = _no_selenium_manager  # never download a driver or a browser
    profile = tempfile.mkdtemp(prefix="nnopt-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
        "--disable-extensions", "--disable-default-apps", "--window-size=1280,900", "--hide-scrollbars",
        # no DNS: any request for a host fails, so a page that needs the network shows it
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    # a 1280x900 viewport (--window-size includes the headless window's frame)
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    chrome.set_script_timeout(60)
    chrome.set_page_load_timeout(60)
    yield chrome
    chrome.quit()
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name: str) -> None:
    """Save the 1280x900 viewport, scrolled to the page's first displayed formula (the top if it has none)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script(
        "const m = document.querySelector('div.math mjx-container');"
        "if (m) m.scrollIntoView({block: 'center'}); else window.scrollTo(0, 0);"
    )
    driver.save_screenshot(str(SCREENSHOTS / f"{name.replace('/', '_').removesuffix('.html')}.png"))


# --------------------------------------------------------------------------------------------------------------------
# the book


def assert_page_ok(driver, page: str) -> None:
    """Check one built page (see check_page), save its screenshot, and fail with every problem found."""
    problems = check_page(driver, page)
    screenshot(driver, page)
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)
    if 'class="math' in (HTML / page).read_text(encoding="utf-8"):
        assert driver.find_elements(By.CSS_SELECTOR, "mjx-container"), f"{page} has formulas but shows none"


@pytest.mark.parametrize("page", PAGES)
def test_page(driver, page):
    assert_page_ok(driver, page)


def test_every_built_page_is_checked(built_book):
    built = {p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if not any(
        part.startswith("_") for part in p.relative_to(HTML).parts)}
    assert built == {*PAGES, *PAGES_ZH, "index.html", "zh/index.html"}


def test_index_opens_the_intro(driver):
    driver.get((HTML / "index.html").as_uri())
    WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith("/book/intro.html"))


def test_search_finds_momentum(driver):
    summary = "document.querySelector('#search-results .search-summary')"
    problems = check_page(driver, "search.html?q=momentum", wait_for=f"{summary} && {summary}.innerText")
    hits = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")]
    screenshot(driver, "search-momentum")
    assert not problems
    assert any(h.split("#")[0].endswith("/book/momentum.html") for h in hits), hits


def test_solution_dropdown_opens(driver):
    driver.get((HTML / "book/gradient_descent.html").as_uri())
    solution = driver.find_element(By.CSS_SELECTOR, ".solution.dropdown")
    content = solution.find_element(By.CSS_SELECTOR, ":scope > section, :scope > p:not(.admonition-title)")
    assert not content.is_displayed(), "the solution is shown before the reader asks for it"
    title = solution.find_element(By.CSS_SELECTOR, ".admonition-title")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", title)
    title.click()
    WebDriverWait(driver, 5).until(lambda d: content.is_displayed())
    assert content.text.strip()


# --------------------------------------------------------------------------------------------------------------------
# the checker catches what it is meant to catch


def broken_copy(tmp_path: Path, page: str, edit) -> Path:
    """A copy of a built page in tmp_path, edited; <base> keeps its relative links pointing into the book."""
    html = (HTML / page).read_text(encoding="utf-8")
    html = html.replace("<head>", f'<head>\n<base href="{(HTML / page).as_uri()}">', 1)
    edited = edit(html)
    assert edited != html, "the edit did not apply"
    out = tmp_path / Path(page).name
    out.write_text(edited, encoding="utf-8")
    return out


def test_checker_reports_mathjax_from_a_cdn(driver, tmp_path):
    """The book as it was before MathJax was bundled: offline, every formula stays raw TeX (on a page with math)."""
    page = broken_copy(tmp_path, "book/gradient_descent.html",
                       lambda h: re.sub(r'src="[^"]*/_static/mathjax/tex-chtml\.js[^"]*"', f'src="{CDN_MATHJAX}"', h))
    problems = check_page(driver, page)
    assert kinds(problems) == {"external request", "failed to load", "console error", "math not typeset", "raw TeX"}
    assert f"external request: {CDN_MATHJAX}" in problems
    assert any(p.startswith("math not typeset") and "MathJax did not load" in p for p in problems)
    assert all(CDN_MATHJAX in p or "ERR_NAME_NOT_RESOLVED" in p for p in problems
               if p.startswith(("failed to load", "console error"))), problems


def test_checker_reports_a_broken_image(driver, tmp_path):
    page = broken_copy(tmp_path, "book/intro.html",
                       lambda h: h.replace("<main", '<img src="missing.png" alt="a figure"><main', 1))
    problems = check_page(driver, page)
    assert kinds(problems) == {"broken image", "failed to load", "console error"}, problems
    assert all("missing.png" in p or "ERR_FILE_NOT_FOUND" in p for p in problems), problems
    assert [p for p in problems if p.startswith("broken image")] == [(HTML / "book/missing.png").as_uri()
                                                                       .join(["broken image: ", ""])]


def test_checker_reports_broken_links(driver, tmp_path):
    page = broken_copy(tmp_path, "book/intro.html", lambda h: h.replace(
        "<main", '<a href="nowhere.html">x</a><a href="sgd.html#no-such-section">y</a><main', 1))
    problems = check_page(driver, page)
    assert sorted(problems) == [
        f"broken link: nowhere.html (no file {HTML / 'book' / 'nowhere.html'})",
        "broken link: sgd.html#no-such-section (no id 'no-such-section' in sgd.html)",
    ]

