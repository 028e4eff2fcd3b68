"""The catalogues this part of the project owns are complete, and their words are not shadowed by a
catalogue that Django consults first (apps earlier in INSTALLED_APPS win)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "zhengji"
CATALOGUES = [ROOT / "locale", ROOT / "common" / "locale", ROOT / "public" / "locale"]


def _entries(po: Path):
    entry: dict = {}
    key = None
    for line in po.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry:
                yield entry
            entry, key = {}, None
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", line)
        elif line.startswith(("msgid", "msgstr", "msgctxt")):
            key, _, rest = line.partition(" ")
            entry[key] = rest.strip()[1:-1]
        elif line.startswith('"') and key:
            entry[key] += line.strip()[1:-1]


@pytest.mark.parametrize("locale_dir", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_complete(locale_dir):
    po = locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po"
    entries = list(_entries(po))
    assert len(entries) > 10
    for e in entries:
        assert "fuzzy" not in e.get("flags", ""), e
        if e.get("msgid"):
            value = e.get("msgstr", e.get("msgstr[0]", ""))
            assert value, e


@pytest.mark.django_db
def test_audit_words_not_shadowed_by_admin_catalogue(client):
    from tests import factories as f
    from zhengji.common.audit import record

    admin = f.user(is_superuser=True)
    record("org.update", f.org("某工会"), actor=admin, before={"name": "旧"}, after={"name": "新"})
    client.force_login(admin)
    page = client.get("/hub/audit/").content.decode()
    assert "筛选" in page and "过滤器" not in page
    assert ">变更<" in page and ">操作<" in page


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_what_every_catalogue_says_is_what_the_visitor_reads():
    """Django merges every catalogue into one: the same msgid (in the same context) has a single
    translation at run time, the first found. A catalogue that says otherwise is shadowed, and the
    page shows the other app's word (the judging page's round "Open" once read 待处理, an
    originality flag's status). Where the meanings differ, the source gives a context."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    shadowed = []
    with translation.override("zh-hans"):
        for po in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
            for e in _entries(po):
                if not e.get("msgid") or "msgid_plural" in e or not e.get("msgstr"):
                    continue
                msgid, want = _unescape(e["msgid"]), _unescape(e["msgstr"])
                got = pgettext(_unescape(e["msgctxt"]), msgid) if "msgctxt" in e else gettext(msgid)
                if got != want:
                    shadowed.append(f"{po.relative_to(ROOT)}: {msgid!r} says {want!r}, reads {got!r}")
    assert not shadowed, "\n".join(shadowed)
