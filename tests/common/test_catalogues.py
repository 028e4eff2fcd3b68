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
