"""Award certificates: issued per awarded entry (idempotent, tier from the result line), the PDF
with the QR code of the public verification page (the QR image in the PDF is segno's matrix of that
URL, and the URL is printed too), the verification page (genuine / revoked / no longer valid /
404), and who may download (the entrant of the awarded entry, the campaign's admins; not another
entrant, not host staff, not anonymous)."""

from __future__ import annotations

import io
import re

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from tests.review.builders_notice import NoticeWorld
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog, Notification
from zhengji.entries.models import EntryStatus
from zhengji.review import certificates as cd
from zhengji.review.domain import notice as dom
from zhengji.review.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = NoticeWorld()
    w.photo = w.awarded(w.track, counts=(1, 2), losers=1)
    w.issued = dom.issue_certificates(w.campaign_admin, w.track)
    return w


def cert_of(entry) -> Certificate:
    return Certificate.objects.select_related("entry__track__campaign__org", "entry__unit").get(entry=entry)


def test_issue_is_idempotent_and_takes_the_tier_from_the_result_line(world):
    w = world
    assert (w.issued.created, w.issued.existing) == (3, 0)
    assert {c.entry_id: c.tier_name for c in Certificate.objects.all()} == {
        w.photo["一等奖"][0].pk: "一等奖", w.photo["二等奖"][0].pk: "二等奖", w.photo["二等奖"][1].pk: "二等奖"}
    assert not Certificate.objects.filter(entry__in=w.photo["_losers"]).exists()
    again = dom.issue_certificates(w.campaign_admin, w.track)
    assert (again.created, again.existing) == (0, 3) and Certificate.objects.count() == 3
    assert AuditLog.objects.filter(action="review.certificate_issue").count() == 1


def test_the_entrants_are_told_on_commit(django_capture_on_commit_callbacks):
    w = NoticeWorld()
    photo = w.awarded(w.track, counts=(1, 1), losers=1)
    with django_capture_on_commit_callbacks(execute=True):
        dom.issue_certificates(w.campaign_admin, w.track)
    told = set(Notification.objects.filter(url=reverse("review:my_certificates")).values_list("user_id", flat=True))
    assert told == {photo["一等奖"][0].submitter_id, photo["二等奖"][0].submitter_id}


def test_only_campaign_admins_issue_and_revoke(world):
    w = world
    c = cert_of(w.photo["一等奖"][0])
    for who in (w.host_staff, w.moderator, w.worker, w.photo["一等奖"][0].submitter):
        with pytest.raises(NotPermitted):
            dom.issue_certificates(who, w.track)
        with pytest.raises(NotPermitted):
            dom.revoke_certificate(who, c, "错误")
    with pytest.raises(DomainError):
        dom.revoke_certificate(w.campaign_admin, c, " ")
    assert dom.revoke_certificate(w.superuser, c, "作品抄袭").revoked_at is not None
    with pytest.raises(DomainError) as exc:
        dom.revoke_certificate(w.campaign_admin, c, "再次")
    assert exc.value.code == "already_revoked"


def qr_matrix_from_pdf(data: bytes) -> list[list[bool]]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    (image,) = page.images
    img = image.image.convert("L")
    w, h = img.size
    return [[img.getpixel((x, y)) < 128 for x in range(w)] for y in range(h)]


def test_the_certificate_pdf_has_the_qr_code_of_its_verification_page(world):
    w = world
    e = w.photo["一等奖"][0]
    c = cert_of(e)
    data = cd.render(c)
    url = cd.verify_url(c)
    assert url.endswith(f"/results/certificates/{c.code}/")
    # The QR image in the PDF is exactly segno's QR code of the verification URL.
    expected = [[bool(v) for v in row] for row in segno.make(url, error="m").matrix_iter(scale=1,
                                                                                         border=cd.QR_BORDER)]
    assert qr_matrix_from_pdf(data) == expected
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert url in text and c.code in text
    for needle in (w.campaign.name, e.title, "一等奖", f"作者甲{e.pk}、作者乙{e.pk}", e.unit.name, w.campaign.org.name):
        assert re.sub(r"\s+", "", needle) in text
    assert e.contact_phone not in text and e.submitter.phone not in text
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    for f in reader.pages[0]["/Resources"]["/Font"].values():
        font = f.get_object()
        desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile" in desc or "/FontFile2" in desc or "/FontFile3" in desc


def test_the_verification_page(world, client):
    w = world
    e = w.photo["二等奖"][0]
    c = cert_of(e)
    r = client.get(reverse("results:certificate_verify", args=[c.code]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "alert-success" in html
    for needle in (w.campaign.name, "二等奖", e.title, f"作者甲{e.pk}、作者乙{e.pk}", e.unit.name, c.code):
        assert needle in html
    assert e.contact_phone not in html and e.submitter.phone not in html
    # Unknown code: 404.
    assert client.get(reverse("results:certificate_verify", args=["no-such-code"])).status_code == 404
    # Revoked: says so.
    dom.revoke_certificate(w.campaign_admin, c, "作品抄袭")
    html = client.get(reverse("results:certificate_verify", args=[c.code])).content.decode()
    assert "alert-danger" in html and "alert-success" not in html
    # A result reopened after issuing: no longer valid (not "genuine").
    other = cert_of(w.photo["二等奖"][1])
    type(e).objects.filter(pk=other.entry_id).update(status=EntryStatus.SCORED)
    html = client.get(reverse("results:certificate_verify", args=[other.code])).content.decode()
    assert "alert-warning" in html and "alert-success" not in html


def test_who_may_download_a_certificate(world, client):
    w = world
    e = w.photo["一等奖"][0]
    c = cert_of(e)
    url = reverse("review:certificate_download", args=[c.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    other_entrant = w.photo["二等奖"][0].submitter
    loser = w.photo["_losers"][0].submitter
    for who in (other_entrant, loser, w.host_staff, w.ya1_admin, w.moderator):
        client.force_login(who)
        assert client.get(url).status_code == 404, who
    for who in (e.submitter, w.campaign_admin, w.superuser):
        client.force_login(who)
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf", who
        assert r.content.startswith(b"%PDF")
    c.refresh_from_db()
    assert c.pdf  # stored on first download, served from storage afterwards
    client.force_login(e.submitter)
    assert client.post(url).status_code == 405
    # Revoked: gone for everyone.
    dom.revoke_certificate(w.campaign_admin, c, "作品抄袭")
    assert client.get(url).status_code == 410
    # An entry no longer awarded: its entrant loses the download.
    c2 = cert_of(w.photo["二等奖"][0])
    type(e).objects.filter(pk=c2.entry_id).update(status=EntryStatus.SCORED)
    client.force_login(w.photo["二等奖"][0].submitter)
    assert client.get(reverse("review:certificate_download", args=[c2.pk])).status_code == 404


def test_the_entrant_finds_their_certificates(world, client, django_assert_max_num_queries):
    w = world
    e = w.photo["一等奖"][0]
    c = cert_of(e)
    client.force_login(e.submitter)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("review:my_certificates"))
    html = r.content.decode()
    assert r.status_code == 200 and e.title in html and reverse("review:certificate_download", args=[c.pk]) in html
    assert w.photo["二等奖"][0].title not in html
    # The personal centre's panel.
    from zhengji.common import registry

    (panel,) = [p for p in registry.centre.panels(e.submitter) if p.key == "review.certificates"]
    assert [x.pk for x in panel.context["certificates"]] == [c.pk]
    assert not [p for p in registry.centre.panels(w.photo["_losers"][0].submitter) if p.key == "review.certificates"]
    html = client.get(reverse("accounts:centre")).content.decode()
    assert reverse("review:certificate_download", args=[c.pk]) in html and reverse("review:my_certificates") in html
    client.logout()
    assert client.get(reverse("review:my_certificates")).status_code == 302


def test_issuing_is_bulk(world, django_assert_max_num_queries):
    w = world
    t = w.other_track
    w.tiers(t, spec=(("优秀奖", 40),))
    w.awarded(t, counts=(30,), losers=0)
    with django_assert_max_num_queries(12):
        done = dom.issue_certificates(w.campaign_admin, t)
    assert done.created == 30
