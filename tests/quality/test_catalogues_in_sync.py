"""The translation catalogues are in sync with the sources: Django's makemessages for zh_Hans, run
over a temporary copy of zhengji/, would add no msgid to any catalogue and leave none obsolete.

The committed .po files are never written: makemessages runs in the copy, without settings (so it
cannot reach LOCALE_PATHS of the real tree), the way an app's catalogue is made: each file goes to
the catalogue of the nearest app's locale/ directory, the rest of zhengji/ to zhengji/locale/.
Whether each msgid is translated (and not fuzzy) is tests/test_catalogues.py's job.

To bring a catalogue in line: `cd zhengji && ../.venv/bin/django-admin makemessages -l zh_Hans
--ignore static` (without DJANGO_SETTINGS_MODULE), translate the new entries, delete the `#~`
obsolete ones, then `make messages`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "zhengji"
PO = Path("zh_Hans") / "LC_MESSAGES" / "django.po"


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    return s[1:-1]


def msgids(po: Path) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of every live entry (obsolete `#~` entries and the header excluded)."""
    out: set[tuple[str, str]] = set()
    entry: dict[str, str] = {}
    key = None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid"):
                out.add((entry.get("msgctxt", ""), entry["msgid"]))
            entry, key = {}, None
        elif line.startswith("#"):
            continue  # comments, flags, and obsolete entries (#~)
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            key, _, rest = line.partition(" ")
            entry[key] = _unquote(rest)
        elif line.startswith('"') and key:
            entry[key] += _unquote(line)
    return out


def _ignore(dirpath: str, names: list[str]) -> set[str]:
    return {n for n in names if n in {"static", "__pycache__", "node_modules"} or n.endswith((".mo", ".pyc"))}


@pytest.fixture(scope="module")
def remade(tmp_path_factory) -> Path:
    """A copy of zhengji/ whose catalogues makemessages has brought up to date."""
    if not shutil.which("xgettext"):
        pytest.fail("gettext is not installed (xgettext): `make system-deps` installs it")
    copy = tmp_path_factory.mktemp("catalogues") / "zhengji"
    shutil.copytree(SRC, copy, ignore=_ignore)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--ignore", "static",
                    "-v", "0"], cwd=copy, env=env, check=True, capture_output=True, text=True)
    return copy


CATALOGUES = sorted(p.relative_to(SRC) for p in SRC.rglob(f"locale/{PO}"))


def test_every_catalogue_is_found():
    assert len(CATALOGUES) >= 9, CATALOGUES


def _fmt(items: set[tuple[str, str]]) -> str:
    return "\n".join(f"    {ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in sorted(items)[:40]) + (
        f"\n    … and {len(items) - 40} more" if len(items) > 40 else "")


def test_catalogues_in_sync_with_sources(remade: Path):
    problems = []
    for rel in CATALOGUES:
        committed, wanted = msgids(SRC / rel), msgids(remade / rel)
        missing, obsolete = wanted - committed, committed - wanted
        if missing:
            problems.append(f"{rel}: {len(missing)} msgid(s) in the sources but not in the catalogue:\n{_fmt(missing)}")
        if obsolete:
            problems.append(f"{rel}: {len(obsolete)} msgid(s) in the catalogue but no longer in the sources:\n"
                            f"{_fmt(obsolete)}")
    new = sorted(p.relative_to(remade) for p in remade.rglob(f"locale/{PO}") if p.relative_to(remade) not in CATALOGUES)
    if new:
        problems.append(f"strings in apps without a catalogue (makemessages made {', '.join(map(str, new))})")
    assert not problems, "\n".join(problems)
