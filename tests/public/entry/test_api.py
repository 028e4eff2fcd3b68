"""GET /api/public/entries/{id}: the entry page's projection, through the public gate."""

from __future__ import annotations

import pytest

from tests import factories as f
from zhengji.entries.models import EntryStatus as S
from zhengji.public.models import Credit

from .builders import AUTHOR, SECRET_NAME, SECRET_PHONE

pytestmark = pytest.mark.django_db


def test_anonymous_reads_a_public_entry(client, world):
    e = world.entry(credit=Credit.AUTHORS)
    r = client.get(f"/api/public/entries/{e.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["title"] == "匠心筑梦" and data["number"] == e.number
    assert data["authors"] == [AUTHOR] and data["unit"] is None
    assert data["track"]["url"] == f"/c/{world.campaign.slug}/t1/" and data["campaign"]["name"]
    assert data["url"] == f"/w/{e.pk}/" and data["views"] == 0 and data["award"] is None
    keys = [a["key"] for a in data["answers"]]
    assert "real_name" not in keys and "contact" not in keys and "caption" in keys
    assert SECRET_NAME not in r.content.decode() and SECRET_PHONE not in r.content.decode()


def test_approved_entry_in_the_running(client, world):
    e = world.entry(S.ELIGIBLE, approved=True)
    assert client.get(f"/api/public/entries/{e.pk}").status_code == 200


@pytest.mark.parametrize("status,approved", [(S.DRAFT, None), (S.DISQUALIFIED, True), (S.ELIGIBLE, False),
                                             (S.ELIGIBLE, None)])
def test_non_public_is_404(client, world, status, approved):
    e = world.entry(status, approved=approved)
    r = client.get(f"/api/public/entries/{e.pk}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.force_login(e.submitter)  # the entrant too: this is the public's view
    assert client.get(f"/api/public/entries/{e.pk}").status_code == 404
    assert client.get("/api/public/entries/999999").status_code == 404


def test_wrong_method(client, world):
    e = world.entry()
    for method in (client.post, client.put, client.delete):
        assert method(f"/api/public/entries/{e.pk}").status_code == 405


def test_logged_in_reads_the_same(client, world):
    e = world.entry()
    anon = client.get(f"/api/public/entries/{e.pk}").json()
    client.force_login(f.user())
    assert client.get(f"/api/public/entries/{e.pk}").json() == anon
