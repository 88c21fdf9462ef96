"""The Chinese edition's catalogs (locales/zh_CN): complete, faithful to the English, and up to date with it.

- every message of every page is translated and none is fuzzy;
- a translation keeps every formula, role target, inline code and link of its English message (tools/i18n.py);
- the catalogs hold exactly the messages the English pages have now: the messages are extracted afresh (Sphinx's
  gettext builder) and compared, so an English sentence changed without its translation fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import edition  # noqa: E402
import i18n  # noqa: E402

CATALOGS = sorted(i18n.CATALOGS.rglob("*.po"))


def test_every_page_has_a_catalog():
    assert {str(p.relative_to(i18n.CATALOGS).with_suffix("")) for p in CATALOGS} == set(edition.toc_files())


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.stem)
def test_catalog_is_complete_and_faithful(po):
    problems = i18n.problems(po)
    more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
    assert not problems, f"{len(problems)} problems (python tools/i18n.py {po.relative_to(ROOT)}):\n" + "\n".join(
        problems[:20]) + more


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The English messages of every page as they are now: one .pot per page (as `make translations` makes)."""
    out = tmp_path_factory.mktemp("gettext")
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--builder", "custom",
               "--custom-builder", "gettext", "--path-output", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return out / "_build" / "gettext"


def test_catalogs_match_the_english_text(extracted):
    outdated = i18n.outdated(extracted)
    assert not outdated, "the English text changed: run `make translations`, then translate:\n" + "\n".join(outdated)


def test_a_changed_english_sentence_is_reported(extracted, tmp_path):
    """The check above works: one English message edited in a copy of the extracted text is reported."""
    pots = tmp_path / "gettext"
    shutil.copytree(extracted, pots)
    pot = pots / "book" / "sgd.pot"
    with pot.open("rb") as f:
        catalog = read_po(f)
    message = next(m for m in catalog if m.id and len(m.id) > 40)
    catalog.delete(message.id)
    catalog.add(message.id.replace(" ", "  ", 1))
    with pot.open("wb") as f:
        write_po(f, catalog)
    assert i18n.outdated(pots) == ["book/sgd.po: 1 English messages are new or changed and 1 are gone; run "
                                   "`make translations` and translate the new ones"]


def catalog_with(tmp_path: Path, english: str, chinese: str, fuzzy: bool = False) -> Path:
    catalog = Catalog(locale="zh_CN")
    catalog.add(english, chinese, flags=["fuzzy"] if fuzzy else [])
    po = tmp_path / "page.po"
    with po.open("wb") as f:
        write_po(f, catalog)
    return po


@pytest.mark.parametrize("english, chinese", [
    ("{term}`Momentum <momentum>` with $\\alpha = 0.1$ and `np.sqrt`, see {doc}`sgd` and {cite}`kingma2015adam`.",
     "{term}`动量 <momentum>`，$\\alpha = 0.1$，`np.sqrt`，见 {doc}`sgd` 与 {cite}`kingma2015adam`。"),
    ("The {term}`learning rate` $$\\alpha$$ of [Keras](https://keras.io/api/).",
     "[Keras](https://keras.io/api/) 的{term}`学习率 <learning rate>` $$\\alpha$$。"),
    ("A docstring's :class:`Adam` with :math:`\\alpha_t`.", "文档字符串中的 {class}`Adam` 与 {math}`\\alpha_t`。"),
])
def test_checker_accepts_a_faithful_translation(tmp_path, english, chinese):
    assert i18n.problems(catalog_with(tmp_path, english, chinese)) == []


@pytest.mark.parametrize("english, chinese, why", [
    ("the step $\\alpha g$", "步长 $\\alpha$", "formula"),
    ("uses {term}`momentum`", "使用{term}`动量`", "role target"),
    ("see {cite}`kingma2015adam`", "见 {cite}`kingma2014adam`", "citation key"),
    ("call `np.sqrt`", "调用 `np.cbrt`", "inline code"),
    ("see [the docs](https://keras.io/a)", "见[文档](https://keras.io/b)", "link"),
    ("$$J(\\theta)$$", "$J(\\theta)$ 和 $J(\\theta)$", "display math made inline"),
    ("see :class:`Adam`", "见 :class:`Adam`", "a reST role, which the MyST parser of the translation shows as text"),
])
def test_checker_reports_an_unfaithful_translation(tmp_path, english, chinese, why):
    problems = i18n.problems(catalog_with(tmp_path, english, chinese))
    assert len(problems) == 1 and ("changed" in problems[0] or "as MyST" in problems[0]), (why, problems)


def test_checker_reports_untranslated_and_fuzzy(tmp_path):
    assert "untranslated" in i18n.problems(catalog_with(tmp_path, "Gradient descent", ""))[0]
    assert "fuzzy" in i18n.problems(catalog_with(tmp_path, "Gradient descent", "梯度下降", fuzzy=True))[0]
