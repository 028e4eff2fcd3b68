"""The notice area's API with the pages' permissions: notices (list, create, update, template,
publish, downloads, suggestions), certificates (issue, list, revoke, mine, PDF) and the public
verification; bad input is a clear 4xx, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from tests.review.builders_notice import NoticeWorld
from zhengji.review.domain import notice as dom
from zhengji.review.models import Certificate, Notice

pytestmark = pytest.mark.django_db
API = "/api/review"
NUMBER = "皖工办〔2026〕12号"


@pytest.fixture
def world():
    w = NoticeWorld()
    w.photo = w.awarded(w.track, counts=(1, 1), losers=1)
    w.notice = dom.create_notice(w.campaign_admin, w.campaign, number=NUMBER)
    return w


def send(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body if body is not None else {}),
                                   content_type="application/json")


def test_notices_crud_and_publish(world, client):
    w = world
    client.force_login(w.campaign_admin)
    r = client.get(f"{API}/notices")
    assert r.status_code == 200 and [n["id"] for n in r.json()] == [w.notice.pk]
    r = send(client, "post", f"{API}/notices", {"campaign": w.campaign.pk, "number": "皖工办〔2026〕99号",
                                               "issued_on": "2026-12-31",
                                               "honours": [{"kind": "unit", "name": "铜陵市总工会"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "皖工办〔2026〕99号" and body["issuer"] == w.campaign.org.name
    assert body["honours"] == [{"kind": "unit", "name": "铜陵市总工会", "unit": ""}] and body["pdf_url"] is None
    nid = body["id"]
    r = send(client, "patch", f"{API}/notices/{nid}", {"title": "新标题", "recipients": "各市总工会"})
    assert r.status_code == 200 and r.json()["title"] == "新标题" and r.json()["number"] == "皖工办〔2026〕99号"
    assert send(client, "patch", f"{API}/notices/{nid}", {"issued_on": "2026-02-30"}).status_code == 422
    assert send(client, "patch", f"{API}/notices/{nid}", {"honours": [{"kind": "robot", "name": "x"}]}).status_code \
        == 422
    assert send(client, "patch", f"{API}/notices/{nid}", ["x"]).status_code == 422
    assert client.get(f"{API}/notices/{nid}").json()["title"] == "新标题"
    # Preview before publishing (managers only), then publish.
    r = client.get(f"{API}/notices/{nid}/download/docx")
    assert r.status_code == 200 and Document(io.BytesIO(r.content)).paragraphs[0].text == w.campaign.org.name
    r = send(client, "post", f"{API}/notices/{nid}/publish")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["published_at"] and body["pdf_url"].endswith(f"/notices/{nid}/download/pdf")
    r = send(client, "patch", f"{API}/notices/{nid}", {"title": "再改"})
    assert r.status_code == 409 and r.json()["code"] == "notice_published"
    assert send(client, "post", f"{API}/notices/{nid}/publish").status_code == 409
    client.logout()
    r = client.get(body["pdf_url"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert [n["id"] for n in client.get(f"{API}/notices/published").json()] == [nid]
    # An unpublished one is not downloadable by the public.
    assert client.get(f"{API}/notices/{w.notice.pk}/download/pdf").status_code == 404
    assert client.get(f"{API}/notices/{w.notice.pk}/download/exe").status_code == 422


def test_notices_are_not_for_others(world, client):
    w = world
    n = w.notice
    assert client.get(f"{API}/notices").status_code == 401
    assert send(client, "post", f"{API}/notices", {"campaign": w.campaign.pk}).status_code == 401
    for who in (w.host_staff, w.judge("ya2").user, w.worker, w.moderator):
        client.force_login(who)
        assert client.get(f"{API}/notices").json() == []
        assert send(client, "post", f"{API}/notices", {"campaign": w.campaign.pk}).status_code == 404
        assert client.get(f"{API}/notices/{n.pk}").status_code == 404
        assert send(client, "patch", f"{API}/notices/{n.pk}", {"title": "x"}).status_code == 404
        assert send(client, "post", f"{API}/notices/{n.pk}/publish").status_code == 404
        assert client.get(f"{API}/notices/{n.pk}/suggestions").status_code == 404
        assert client.get(f"{API}/notices/{n.pk}/download/pdf").status_code == 404
        assert client.post(f"{API}/notices/{n.pk}/template").status_code in (404, 422)
    assert Notice.objects.get(pk=n.pk).title == w.notice.title
    client.force_login(w.campaign_admin)
    assert client.delete(f"{API}/notices/{n.pk}").status_code == 405


def test_template_upload(world, client):
    w = world
    client.force_login(w.campaign_admin)
    url = f"{API}/notices/{w.notice.pk}/template"
    r = client.post(url, {"file": SimpleUploadedFile("x.docx", b"plain text")})
    assert r.status_code == 400 and r.json()["code"] == "not_docx"
    doc = Document()
    doc.add_paragraph("{% if %}")
    buf = io.BytesIO()
    doc.save(buf)
    r = client.post(url, {"file": SimpleUploadedFile("x.docx", buf.getvalue())})
    assert r.status_code == 422 and r.json()["code"] == "bad_template" and r.json()["message"]
    doc = Document()
    doc.add_paragraph("模板 {{ title }}")
    buf = io.BytesIO()
    doc.save(buf)
    r = client.post(url, {"file": SimpleUploadedFile("x.docx", buf.getvalue())})
    assert r.status_code == 200 and r.json()["custom_template"] is True
    r = client.delete(url)
    assert r.status_code == 200 and r.json()["custom_template"] is False


def test_suggestions(world, client):
    from zhengji.common import registry

    registry.honour_suggestions.register("test", lambda cid: [{"kind": "unit", "name": "甲", "unit": "", "why": "w"}])
    try:
        client.force_login(world.campaign_admin)
        r = client.get(f"{API}/notices/{world.notice.pk}/suggestions")
        assert r.status_code == 200 and {"kind": "unit", "name": "甲", "unit": "", "why": "w"} in r.json()
    finally:
        registry.honour_suggestions.unregister("test")


def test_certificates(world, client):
    w = world
    winner = w.photo["一等奖"][0]
    url = f"{API}/tracks/{w.track.pk}/certificates"
    for who in (w.host_staff, winner.submitter):
        client.force_login(who)
        assert client.post(url).status_code == 404
        assert client.get(url).status_code == 404
    client.force_login(w.campaign_admin)
    assert client.post(url).json() == {"created": 2, "existing": 0}
    assert client.post(url).json() == {"created": 0, "existing": 2}
    page = client.get(f"{url}?limit=1").json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["next_offset"] == 1
    assert client.get(f"{url}?limit=1000").status_code == 422
    c = Certificate.objects.get(entry=winner)
    # The entrant's own.
    client.force_login(winner.submitter)
    mine = client.get(f"{API}/certificates/mine").json()
    assert [x["code"] for x in mine] == [c.code] and mine[0]["tier"] == "一等奖"
    r = client.get(mine[0]["download_url"])
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    client.force_login(w.photo["二等奖"][0].submitter)
    assert client.get(f"{API}/certificates/{c.pk}/pdf").status_code == 404
    assert send(client, "post", f"{API}/certificates/{c.pk}/revoke", {"reason": "x"}).status_code == 404
    client.logout()
    assert client.get(f"{API}/certificates/{c.pk}/pdf").status_code == 401
    assert client.get(f"{API}/certificates/mine").status_code == 401
    # Public verification.
    r = client.get(f"{API}/certificates/verify/{c.code}")
    assert r.status_code == 200
    v = r.json()
    assert v["valid"] is True and v["tier"] == "一等奖" and v["title"] == winner.title and "phone" not in v
    assert client.get(f"{API}/certificates/verify/unknown").status_code == 404
    # Revoke.
    client.force_login(w.campaign_admin)
    assert send(client, "post", f"{API}/certificates/{c.pk}/revoke", {"reason": ""}).status_code == 422
    r = send(client, "post", f"{API}/certificates/{c.pk}/revoke", {"reason": "作品抄袭"})
    assert r.status_code == 200 and r.json()["revoked_at"] and r.json()["download_url"] is None
    assert send(client, "post", f"{API}/certificates/{c.pk}/revoke", {"reason": "再"}).status_code == 409
    assert client.get(f"{API}/certificates/{c.pk}/pdf").status_code == 409
    client.logout()
    v = client.get(f"{API}/certificates/verify/{c.code}").json()
    assert v["valid"] is False and v["revoked"] is True
