"""The notice area's pages through the test client: who may open each (campaign admins and
superusers; not host staff of a track, judges, another campaign's admins, anonymous visitors),
wrong methods, the editor's save / honours picker / template upload / previews / publishing, the
public notice with its downloads, certificates per track, and query counts of the lists."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from tests import factories as f
from tests.review.builders_notice import NoticeWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.common import registry
from zhengji.review import notice as nd
from zhengji.review.domain import notice as dom
from zhengji.review.models import Certificate, Notice

pytestmark = pytest.mark.django_db
NUMBER = "皖工办〔2026〕12号"


@pytest.fixture
def world():
    w = NoticeWorld()
    w.photo = w.awarded(w.track, counts=(1, 2), losers=1)
    w.notice = dom.create_notice(w.campaign_admin, w.campaign, number=NUMBER)
    w.other_admin = f.user(real_name="别的活动管理员")
    f.grant(w.other_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=w.other_campaign_track().campaign)
    w.judge_user = w.judge("ya2").user
    return w


def outsiders(w):
    return (w.host_staff, w.judge_user, w.other_admin, w.worker, w.moderator)


def test_staff_pages_are_for_campaign_admins(world, client):
    w = world
    n = w.notice
    gets = [reverse("review:notice_edit", args=[n.pk]), reverse("review:notice_preview", args=[n.pk, "pdf"]),
            reverse("review:certificates", args=[w.track.pk])]
    posts = [reverse("review:notice_template", args=[n.pk]), reverse("review:notice_publish", args=[n.pk]),
             reverse("review:certificates", args=[w.track.pk])]
    for url in [reverse("review:notices"), *gets, *posts]:
        assert client.get(url).status_code == 302, url  # anonymous: to the login page
    for who in outsiders(w):
        client.force_login(who)
        expected = 403 if who is not w.other_admin else 200
        assert client.get(reverse("review:notices")).status_code == expected, who
        for url in gets:
            assert client.get(url).status_code == 404, (who, url)
        for url in posts:
            assert client.post(url).status_code == 404, (who, url)
        assert client.post(reverse("review:notice_create"), {"campaign": w.campaign.pk}).status_code in (403, 404)
    assert Notice.objects.count() == 1 and not Certificate.objects.exists()
    for who in (w.campaign_admin, w.superuser):
        client.force_login(who)
        for url in [reverse("review:notices"), *gets]:
            assert client.get(url).status_code == 200, (who, url)
    assert client.post(reverse("review:notices")).status_code == 405
    assert client.get(reverse("review:notice_publish", args=[n.pk])).status_code == 405
    assert client.get(reverse("review:notice_create")).status_code == 405
    assert client.get(reverse("review:notice_preview", args=[n.pk, "odt"])).status_code == 404


def test_the_notices_list(world, client, django_assert_max_num_queries):
    w = world
    for _ in range(3):
        dom.create_notice(w.campaign_admin, w.campaign)
    client.force_login(w.campaign_admin)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("review:notices"))
    html = r.content.decode()
    assert w.campaign.name in html and NUMBER in html and w.track.name in html and w.other_track.name in html
    assert reverse("review:certificates", args=[w.track.pk]) in html
    # Create one.
    r = client.post(reverse("review:notice_create"), {"campaign": w.campaign.pk})
    n = Notice.objects.order_by("-id").first()
    assert r.status_code == 302 and r["Location"] == reverse("review:notice_edit", args=[n.pk])
    assert n.issuer == w.campaign.org.name and n.created_by == w.campaign_admin
    # Not another campaign's.
    client.force_login(w.other_admin)
    assert client.post(reverse("review:notice_create"), {"campaign": w.campaign.pk}).status_code == 404


def test_the_editor_saves_fields_and_picks_honours(world, client, django_assert_max_num_queries):
    w = world
    n = w.notice

    def suggest(campaign_id):
        return [{"kind": "unit", "name": "建议单位甲", "unit": "", "why": "获奖 3 件"},
                {"kind": "person", "name": "建议个人乙", "unit": "义安区总工会", "why": "推荐 2 件"}]

    registry.honour_suggestions.register("test", suggest)
    try:
        client.force_login(w.campaign_admin)
        with django_assert_max_num_queries(40):  # a fixed number: the stats suggestions are ~28
            r = client.get(reverse("review:notice_edit", args=[n.pk]))
        html = r.content.decode()
        assert "建议单位甲" in html and "获奖 3 件" in html and "建议个人乙" in html
        for e in w.photo["一等奖"] + w.photo["二等奖"]:
            assert e.title in html
        assert w.photo["_losers"][0].title not in html
        chosen = json.dumps({"kind": "person", "name": "建议个人乙", "unit": "义安区总工会"}, ensure_ascii=False)
        r = client.post(reverse("review:notice_edit", args=[n.pk]), {
            "issuer": "安徽省总工会办公室", "number": "皖工办〔2026〕13号", "title": "关于通报的通报",
            "recipients": "各市总工会", "body": "正文。", "issued_on": "2026-12-20", "honour": [chosen, "not json"],
            "add_kind": "unit", "add_name": "手填单位", "add_unit": ""})
        assert r.status_code == 302
        n.refresh_from_db()
        assert (n.issuer, n.number, n.title, n.recipients, n.body, str(n.issued_on)) == (
            "安徽省总工会办公室", "皖工办〔2026〕13号", "关于通报的通报", "各市总工会", "正文。", "2026-12-20")
        assert n.honours == [{"kind": "person", "name": "建议个人乙", "unit": "义安区总工会"},
                             {"kind": "unit", "name": "手填单位", "unit": ""}]
        html = client.get(reverse("review:notice_edit", args=[n.pk])).content.decode()
        assert html.count("checked") >= 2 and "建议单位甲" in html  # chosen ones ticked, the rest offered
        # A bad date: refused with a message, nothing changed.
        r = client.post(reverse("review:notice_edit", args=[n.pk]), {"issuer": "x", "title": "y", "issued_on": "no"},
                        follow=True)
        n.refresh_from_db()
        assert n.issuer == "安徽省总工会办公室" and "alert" in r.content.decode()
    finally:
        registry.honour_suggestions.unregister("test")


def docx_bytes(lines):
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_template_upload_preview_and_publish(world, client):
    w = world
    n = w.notice
    client.force_login(w.campaign_admin)
    url = reverse("review:notice_template", args=[n.pk])
    bad = SimpleUploadedFile("bad.docx", docx_bytes(["{{ nope }}"]), content_type=nd.DOCX_TYPE)
    r = client.post(url, {"template": bad}, follow=True)
    assert "nope" in r.content.decode()
    n.refresh_from_db()
    assert not n.template
    r = client.post(url, {}, follow=True)
    assert r.status_code == 200 and not Notice.objects.get(pk=n.pk).template
    good = SimpleUploadedFile("good.docx", docx_bytes(["我的模板 {{ number }}"]), content_type=nd.DOCX_TYPE)
    client.post(url, {"template": good})
    n.refresh_from_db()
    assert n.template
    r = client.get(reverse("review:notice_preview", args=[n.pk, "docx"]))
    assert r.status_code == 200 and r["Content-Type"] == nd.DOCX_TYPE
    assert Document(io.BytesIO(r.content)).paragraphs[0].text == f"我的模板 {NUMBER}"
    client.post(url, {"reset": "1"})
    n.refresh_from_db()
    assert not n.template
    r = client.get(reverse("review:notice_preview", args=[n.pk, "pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and "attachment" in r["Content-Disposition"]
    # Not public before publishing.
    client.logout()
    assert client.get(reverse("results:notice", args=[n.pk])).status_code == 404
    assert client.get(reverse("results:notice_download", args=[n.pk, "pdf"])).status_code == 404
    client.force_login(w.campaign_admin)
    r = client.post(reverse("review:notice_publish", args=[n.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("results:notice", args=[n.pk])
    # Changing it afterwards is refused with a message.
    r = client.post(reverse("review:notice_edit", args=[n.pk]),
                    {"issuer": "x", "title": "y", "number": "z", "issued_on": "2026-12-01"}, follow=True)
    assert Notice.objects.get(pk=n.pk).issuer == w.campaign.org.name and "alert" in r.content.decode()
    # The public page and its downloads.
    client.logout()
    r = client.get(reverse("results:notice", args=[n.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and NUMBER in html and n.title in html
    assert reverse("results:notice_download", args=[n.pk, "docx"]) in html
    r = client.get(reverse("results:notice_download", args=[n.pk, "pdf"]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    r = client.get(reverse("results:notice_download", args=[n.pk, "docx"]))
    assert r.status_code == 200 and Document(io.BytesIO(b"".join(r.streaming_content))).paragraphs[0].text
    assert client.get(reverse("results:notice_download", args=[n.pk, "exe"])).status_code == 404
    assert client.post(reverse("results:notice", args=[n.pk])).status_code == 405


def test_public_notice_list(world, client, django_assert_max_num_queries):
    w = world
    dom.publish_notice(w.campaign_admin, w.notice)
    dom.create_notice(w.campaign_admin, w.campaign, title="未发布的草稿")
    with django_assert_max_num_queries(6):
        r = client.get(reverse("results:notice_list"))
    html = r.content.decode()
    assert w.notice.title in html and "未发布的草稿" not in html


def test_certificates_per_track(world, client, django_assert_max_num_queries):
    w = world
    client.force_login(w.campaign_admin)
    url = reverse("review:certificates", args=[w.track.pk])
    r = client.post(url, follow=True)
    assert r.status_code == 200 and Certificate.objects.count() == 3
    with django_assert_max_num_queries(14):
        r = client.get(url)
    html = r.content.decode()
    for e in w.photo["一等奖"] + w.photo["二等奖"]:
        assert e.title in html
    c = Certificate.objects.get(entry=w.photo["一等奖"][0])
    r = client.post(reverse("review:certificate_revoke", args=[c.pk]), {"reason": "作品抄袭"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.revoked_at is not None
    r = client.post(reverse("review:certificate_revoke", args=[c.pk]), {"reason": "再次"}, follow=True)
    assert "alert" in r.content.decode()
    client.force_login(w.host_staff)
    other = Certificate.objects.exclude(pk=c.pk).first()
    assert client.post(reverse("review:certificate_revoke", args=[other.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("review:certificate_revoke", args=[other.pk])).status_code == 405
