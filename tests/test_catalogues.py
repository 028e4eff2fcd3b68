"""Chinese first, English complete: every catalogue entry is translated and none is fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "zhengji"
CATALOGUES = sorted(ROOT.rglob("locale/*/LC_MESSAGES/django.po"))


def _entries(po: Path):
    """Yield (msgid, msgstr, flags, lineno) for each entry, handling multi-line strings."""
    entry: dict = {"flags": "", "msgid": None, "msgstr": None, "plural": False}
    key = None
    lineno = 0

    def flush():
        if entry["msgid"] is not None:
            yield entry["msgid"], entry["msgstr"], entry["flags"], lineno

    for n, raw in enumerate(po.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            yield from flush()
            entry = {"flags": "", "msgid": None, "msgstr": None, "plural": False}
            key = None
            continue
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            entry["plural"] = True
            key = None
        elif line.startswith("msgid "):
            entry["msgid"] = line[6:].strip('"')
            key = "msgid"
            lineno = n
        elif line.startswith("msgstr"):
            value = line.split(" ", 1)[1].strip('"')
            # For plurals keep the first non-empty form.
            entry["msgstr"] = (entry["msgstr"] or "") + value
            key = "msgstr"
        elif line.startswith('"') and key:
            entry[key] = (entry[key] or "") + line.strip('"')
    yield from flush()


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_complete(po: Path):
    problems = []
    for msgid, msgstr, flags, lineno in _entries(po):
        if msgid == "":
            continue  # header
        if "fuzzy" in flags:
            problems.append(f"line {lineno}: fuzzy: {msgid!r}")
        elif not msgstr:
            problems.append(f"line {lineno}: untranslated: {msgid!r}")
    assert not problems, "\n".join(problems[:30])
