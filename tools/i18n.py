"""Check the translation catalogs of the Chinese edition (locales/zh_CN/LC_MESSAGES/book/*.po).

A translated message must keep, unchanged, everything of its English source that is not prose: every formula
(``$…$``, ``$$…$$``), every role's name and target (``{term}`动量 <momentum>``` keeps ``momentum``; a ``{cite}``,
``{doc}`` or ``{ref}`` keeps its key), every piece of inline code and every link's address. Order may change (a
Chinese sentence orders its parts differently); the multiset may not. A docstring's reST role ``:class:`Adam```
is written ``{class}`Adam``` in its translation: Sphinx parses every translation with the page's parser, MyST.

    python tools/i18n.py                       # every catalog: untranslated, fuzzy and unfaithful messages
    python tools/i18n.py locales/.../faq.po    # one catalog
    python tools/i18n.py --outdated POT_DIR    # also: catalogs whose English messages differ from the .pot files

Exit status 1 when any problem is found. tests/test_translations.py runs the same checks.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"

ROLE = re.compile(r"(?:\{([\w:.-]+)\}|(?<![\w`]):([\w.-]+(?::[\w.-]+)?):)`([^`]*)`")
RST_ROLE = re.compile(r"(?<![\w`]):[\w.-]+(?::[\w.-]+)?:`")  # a docstring's :class:`X`; its translation is MyST
CODE = re.compile(r"``(.+?)``|`([^`]+)`")
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
LINK = re.compile(r"\]\(([^)\s]+)\)|<(https?://[^>\s]+)>")
TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)


def invariants(text: str) -> Counter:
    """What a translation must keep: formulas, role names with their targets, inline code, link addresses."""
    found: Counter = Counter()
    for name1, name2, content in ROLE.findall(text):
        name = name1 or name2
        if name == "math":  # a formula written as a role: its content is the formula
            found[("math", " ".join(content.split()))] += 1
            continue
        m = TARGET.match(content)
        found[(f"{{{name}}}", (m.group(2) if m else content).strip())] += 1
    text = ROLE.sub(" ", text)
    for m in DISPLAY_MATH.finditer(text):
        found[("math", " ".join(m.group(1).split()))] += 1
    text = DISPLAY_MATH.sub(" ", text)
    for a, b in LINK.findall(text):
        found[("link", a or b)] += 1
    for a, b in CODE.findall(text):
        found[("code", a or b)] += 1
    text = CODE.sub(" ", text)
    for m in INLINE_MATH.finditer(text):
        found[("math", " ".join(m.group(1).split()))] += 1
    return found


def messages(po: Path):
    """(msgid, msgstr, fuzzy) of every real message of a catalog (not the header, not obsolete ones)."""
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id:
            yield message.id, message.string, message.fuzzy


def problems(po: Path) -> list[str]:
    """Untranslated, fuzzy and unfaithful messages of one catalog, one line each."""
    out = []
    for msgid, msgstr, fuzzy in messages(po):
        short = msgid[:70].replace("\n", " ")
        if not msgstr:
            out.append(f"{po.name}: untranslated: {short!r}")
        elif fuzzy:
            out.append(f"{po.name}: fuzzy (the English changed; check and remove the fuzzy flag): {short!r}")
        else:
            lost, added = invariants(msgid) - invariants(msgstr), invariants(msgstr) - invariants(msgid)
            if RST_ROLE.search(msgstr):  # Sphinx parses every translation with the page's parser, MyST here
                out.append(f"{po.name}: write a role as {{role}}`target` in a translation (it is read as MyST), "
                           f"not {RST_ROLE.search(msgstr).group(0)}: {short!r}")
            elif lost or added:
                out.append(f"{po.name}: changed {dict(lost) or ''} -> {dict(added) or ''} in {short!r}")
    return out


def outdated(pot_dir: Path) -> list[str]:
    """Catalogs whose English messages differ from those extracted now (a .pot per page in pot_dir)."""
    out = []
    pots = {p.relative_to(pot_dir).with_suffix(""): p for p in pot_dir.rglob("*.pot")}
    pos = {p.relative_to(CATALOGS).with_suffix(""): p for p in CATALOGS.rglob("*.po")}
    for name in sorted(set(pots) | set(pos), key=str):
        if name not in pos:
            out.append(f"{name}: no catalog; run `make translations`")
        elif name not in pots:
            out.append(f"{name}.po: its page is gone; delete the catalog")
        else:
            want = {msgid for msgid, _, _ in messages(pots[name])}
            have = {msgid for msgid, _, _ in messages(pos[name])}
            if want != have:
                new, gone = len(want - have), len(have - want)
                out.append(f"{name}.po: {new} English messages are new or changed and {gone} are gone; run "
                           f"`make translations` and translate the new ones")
    return out


def main(argv: list[str]) -> int:
    pot_dir = None
    if "--outdated" in argv:
        i = argv.index("--outdated")
        pot_dir, argv = Path(argv[i + 1]), argv[:i] + argv[i + 2:]
    files = [Path(a) for a in argv] or sorted(CATALOGS.rglob("*.po"))
    found = [line for po in files for line in problems(po)]
    if pot_dir is not None:
        found += outdated(pot_dir)
    print("\n".join(found) if found else f"{len(files)} catalogs: every message translated and faithful")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
