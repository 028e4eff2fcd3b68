"""Entries on behalf of workers (代报): the admin's page and API, who may not, the pledge made on
the worker's behalf, the chain, and the worker's claim with an SMS code."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from tests import factories as f
from tests.accounts.helpers import last_code
from tests.entries.builders import GOOD_DATA, media
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries import services as entry_services
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.queries import View, entries_for
from zhengji.entries.services import Changes
from zhengji.reporting import onbehalf, views_onbehalf
from zhengji.reporting.models import ChainPosition, OnBehalf

pytestmark = pytest.mark.django_db
PHONE = "13700001234"


@pytest.fixture(autouse=True)
def _loose_ip_limits(settings):
    settings.OTP_IP_SEND_INTERVAL_SECONDS = 0
    settings.OTP_IP_MAX_PER_HOUR = 1000


def entered(rw, admin=None, unit="ya1", phone=PHONE, submit=True):
    admin = admin or rw.yian_admin
    e = onbehalf.start(admin, rw.track, unit=rw.tree[unit], worker_name="王师傅", phone=phone,
                       changes=Changes(title="夕阳下的工地", summary="简介", data=dict(GOOD_DATA)))
    m = media(admin, slot="photos")
    e = entry_services.save_draft(admin, e, Changes(files={"photos": [m.pk]}))
    return entry_services.submit(admin, e, pledge=True) if submit else e


# --- domain --------------------------------------------------------------------------------------

def test_start_names_the_worker_and_audits(rw):
    e = entered(rw)
    assert e.status == EntryStatus.SUBMITTED and e.number
    assert (e.unit, e.submitter, e.contact_phone) == (rw.tree["ya1"], rw.yian_admin, PHONE)
    assert [a.name for a in e.authors.all()] == ["王师傅"]
    ob = OnBehalf.objects.get(entry=e)
    assert (ob.worker_name, ob.phone, ob.entered_by, ob.pledged_by) == ("王师傅", PHONE, rw.yian_admin, rw.yian_admin)
    log = AuditLog.objects.get(action="entry.on_behalf")
    assert log.actor_id == rw.yian_admin.pk and "1234" in str(log.after) and PHONE not in str(log.after)
    # It flows through the chain like any other entry.
    assert ChainPosition.objects.get(entry=e).level == rw.tree["ya1"]
    assert e in entries_for(rw.ya1_admin, View.UNIT)


def test_start_refusals(rw):
    with pytest.raises(NotPermitted):  # another county's admin
        onbehalf.start(rw.jiao_admin, rw.track, unit=rw.tree["ya1"], worker_name="王", phone=PHONE)
    with pytest.raises(NotPermitted):  # a worker
        onbehalf.start(rw.worker, rw.track, unit=rw.tree["ya1"], worker_name="王", phone=PHONE)
    with pytest.raises(DomainError) as exc:
        onbehalf.start(rw.yian_admin, rw.track, unit=rw.tree["ya1"], worker_name="王", phone="123")
    assert exc.value.field == "phone"
    with pytest.raises(DomainError) as exc:
        onbehalf.start(rw.yian_admin, rw.track, unit=rw.tree["ya1"], worker_name=" ", phone=PHONE)
    assert exc.value.field == "worker_name"
    with pytest.raises(DomainError):
        onbehalf.start(rw.yian_admin, rw.track, unit=None, worker_name="王", phone=PHONE)
    unit_only = f.track(rw.campaign, rw.host, number=9, slug="t9", entrant_types=["unit"])
    with pytest.raises(DomainError) as exc:
        onbehalf.start(rw.yian_admin, unit_only, unit=rw.tree["ya1"], worker_name="王", phone=PHONE)
    assert exc.value.code == "entrant_type_not_allowed"
    assert not Entry.objects.exists()


def test_team_when_several_authors(rw):
    e = onbehalf.start(rw.yian_admin, rw.track, unit=rw.tree["ya2"], worker_name="王", phone=PHONE,
                       changes=Changes(authors=[{"name": "王"}, {"name": "李"}]))
    assert e.entrant_type == "team" and e.authors.count() == 2


# --- pages ---------------------------------------------------------------------------------------

def test_page_then_same_entry_form(client, rw):
    client.force_login(rw.yian_admin)
    r = client.get(reverse("reporting:onbehalf_new"))
    assert r.status_code == 200 and rw.track.name in r.content.decode()
    r = client.post(reverse("reporting:onbehalf_new"), {"track": rw.track.pk, "unit": "AH-TL-YA-01",
                                                        "worker_name": "王师傅", "phone": PHONE, "title": "工地"})
    assert r.status_code == 302
    e = Entry.objects.get()
    assert r["Location"] == reverse("entries:edit", args=[e.pk])
    # The track's own form, upload widget and pledge; submitted by the admin.
    assert client.get(r["Location"]).status_code == 200
    m = media(rw.yian_admin, slot="photos")
    post = {"entry_title": "工地", "entry_summary": "简介", "entry_phone": PHONE, **GOOD_DATA,
            "author_name": ["王师傅"], "author_unit": ["义安区某公司工会"], "author_role": [""],
            "photos": str(m.pk), "entry_pledge": "on", "action": "submit"}
    r = client.post(reverse("entries:edit", args=[e.pk]), post)
    assert r.status_code == 302, r.content.decode()[:3000]
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED and e.number
    assert OnBehalf.objects.get(entry=e).pledged_by == rw.yian_admin
    listing = client.get(reverse("reporting:onbehalf")).content.decode()
    assert "王师傅" in listing and PHONE in listing  # in full for the admin of the subtree
    # An admin above sees the number too; the page lists only the subtree's entries.
    client.force_login(rw.city_admin)
    assert PHONE in client.get(reverse("reporting:onbehalf")).content.decode()
    client.force_login(rw.jiao_admin)
    assert "王师傅" not in client.get(reverse("reporting:onbehalf")).content.decode()


def test_page_errors_keep_input(client, rw):
    client.force_login(rw.yian_admin)
    r = client.post(reverse("reporting:onbehalf_new"), {"track": rw.track.pk, "unit": "AH-TL-JQ-01",
                                                        "worker_name": "王师傅", "phone": "12"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "王师傅" in body and "is-invalid" in body
    r = client.post(reverse("reporting:onbehalf_new"), {"track": rw.track.pk, "unit": "AH-TL-YA-01",
                                                        "worker_name": "王师傅", "phone": "12"})
    assert r.status_code == 400 and "王师傅" in r.content.decode()
    r = client.post(reverse("reporting:onbehalf_new"), {"track": "x", "unit": "", "worker_name": "", "phone": ""})
    assert r.status_code == 400
    assert not Entry.objects.exists()


def test_page_permissions(client, rw):
    url = reverse("reporting:onbehalf_new")
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(rw.worker)
    assert client.get(url).status_code == 403
    assert client.post(url, {"track": rw.track.pk, "unit": "AH-TL-YA-01", "worker_name": "王",
                             "phone": PHONE}).status_code == 403
    assert client.get(reverse("reporting:onbehalf")).status_code == 403
    client.force_login(rw.jiao_admin)  # other unit's admin: the unit is not theirs
    r = client.post(url, {"track": rw.track.pk, "unit": "AH-TL-YA-01", "worker_name": "王", "phone": PHONE})
    assert r.status_code == 400
    client.force_login(rw.yian_admin)
    assert client.put(url).status_code == 405
    assert not Entry.objects.exists()


# --- API -----------------------------------------------------------------------------------------

def test_api_create_and_submit(client, rw):
    client.force_login(rw.yian_admin)
    m = media(rw.yian_admin, slot="photos")
    payload = {"track": rw.track.pk, "unit": rw.tree["ya2"].pk, "worker_name": "李师傅", "phone": PHONE,
               "title": "车间", "summary": "简介", "data": GOOD_DATA, "files": {"photos": [m.pk]},
               "submit": True, "pledge": True}
    r = client.post("/api/reporting/onbehalf", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "submitted" and body["number"] and body["phone"] == PHONE
    assert body["pledged_by"] == rw.yian_admin.pk and body["unit"]["id"] == rw.tree["ya2"].pk
    r = client.get("/api/reporting/onbehalf")
    assert [x["entry"] for x in r.json()] == [body["entry"]]
    # Without the pledge nothing is kept.
    m2 = media(rw.yian_admin, slot="photos")
    r = client.post("/api/reporting/onbehalf", {**payload, "pledge": False, "title": "另一个",
                                                "files": {"photos": [m2.pk]}}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "pledge_required" and Entry.objects.count() == 1


def test_api_permissions(client, rw):
    payload = {"track": rw.track.pk, "unit": rw.tree["ya1"].pk, "worker_name": "王", "phone": PHONE}
    assert client.post("/api/reporting/onbehalf", payload, content_type="application/json").status_code == 401
    client.force_login(rw.worker)
    assert client.post("/api/reporting/onbehalf", payload, content_type="application/json").status_code == 403
    assert client.get("/api/reporting/onbehalf").status_code == 403
    client.force_login(rw.jiao_admin)
    assert client.post("/api/reporting/onbehalf", payload, content_type="application/json").status_code == 403
    client.force_login(rw.yian_admin)
    assert client.get("/api/reporting/onbehalf/x").status_code in (404, 405)
    assert client.put("/api/reporting/onbehalf", payload, content_type="application/json").status_code == 405
    r = client.post("/api/reporting/onbehalf", {**payload, "track": 99999}, content_type="application/json")
    assert r.status_code == 404
    assert not Entry.objects.exists()


# --- claim ---------------------------------------------------------------------------------------

def send_code(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("reporting:claim"), {"action": "send"})
    assert r.status_code == 200
    return last_code(PHONE)


def test_claim_with_the_right_code(client, rw, django_capture_on_commit_callbacks):
    e = entered(rw)
    files = list(e.file_links.values_list("media_id", flat=True))
    draft = entered(rw, submit=False)  # still in the admin's hands: not claimable
    worker = f.user(phone=PHONE, real_name="王师傅")
    client.force_login(worker)
    page = client.get(reverse("reporting:claim")).content.decode()
    assert "夕阳下的工地" in page
    assert "Entries entered for you" in client.get(reverse("accounts:centre")).content.decode() or \
        reverse("reporting:claim") in client.get(reverse("accounts:centre")).content.decode()
    code = send_code(client, django_capture_on_commit_callbacks)
    r = client.post(reverse("reporting:claim"), {"action": "claim", "code": code})
    assert r.status_code == 302 and r["Location"] == reverse("entries:mine")
    e.refresh_from_db()
    assert e.submitter == worker
    assert set(e.file_links.values_list("media__owner_id", flat=True)) == {worker.pk}
    assert files
    ob = OnBehalf.objects.get(entry=e)
    assert ob.claimed_by == worker and ob.claimed_at and ob.pledged_by == rw.yian_admin
    assert e in entries_for(worker, View.MINE)
    assert e in entries_for(rw.yian_admin, View.UNIT)  # the admin keeps seeing it
    assert "夕阳下的工地" in client.get(reverse("entries:mine")).content.decode()
    log = AuditLog.objects.get(action="entry.claim")
    assert log.actor_id == worker.pk and log.after["previous_submitter"] == rw.yian_admin.pk
    draft.refresh_from_db()
    assert draft.submitter == rw.yian_admin and not worker.has_perm("reporting.claim_entry", draft)
    # Nothing left to claim.
    r = client.post(reverse("reporting:claim"), {"action": "send"})
    assert r.status_code == 400


def test_claim_with_a_wrong_code_changes_nothing(client, rw, django_capture_on_commit_callbacks):
    e = entered(rw)
    worker = f.user(phone=PHONE)
    client.force_login(worker)
    code = send_code(client, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(reverse("reporting:claim"), {"action": "claim", "code": wrong})
    assert r.status_code == 400
    e.refresh_from_db()
    assert e.submitter == rw.yian_admin and not OnBehalf.objects.get(entry=e).claimed_at
    assert not AuditLog.objects.filter(action="entry.claim").exists()


def test_another_phone_cannot_claim(client, rw, django_capture_on_commit_callbacks):
    e = entered(rw)
    other = f.user(phone="13700009999")
    client.force_login(other)
    assert "夕阳下的工地" not in client.get(reverse("reporting:claim")).content.decode()
    r = client.post(reverse("reporting:claim"), {"action": "send"})
    assert r.status_code == 400
    r = client.post(reverse("reporting:claim"), {"action": "claim", "code": "123456"})
    assert r.status_code == 400
    # Even with a valid code of the right number in hand, the claim is for one's own number.
    with pytest.raises(DomainError):
        onbehalf.claim(other, "123456")
    assert not rw.yian_admin.has_perm("reporting.claim_entry", e)
    assert not other.has_perm("reporting.claim_entry", e)
    e.refresh_from_db()
    assert e.submitter == rw.yian_admin
    client.logout()
    assert client.get(reverse("reporting:claim")).status_code == 302


def test_api_claim(client, rw, django_capture_on_commit_callbacks):
    e = entered(rw)
    worker = f.user(phone=PHONE)
    client.force_login(worker)
    r = client.get("/api/reporting/claims")
    assert [x["entry"] for x in r.json()] == [e.pk] and r.json()[0]["phone"] == PHONE
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/reporting/claims/code")
    assert r.status_code == 200 and r.json()["waiting"] == 1 and r.json()["phone"].startswith("137****")
    r = client.post("/api/reporting/claims", {"code": "99999"}, content_type="application/json")
    assert r.status_code == 400
    r = client.post("/api/reporting/claims", {"code": last_code(PHONE)}, content_type="application/json")
    assert r.status_code == 200 and r.json()["entries"] == [e.pk]
    e.refresh_from_db()
    assert e.submitter == worker
    r = client.post("/api/reporting/claims/code")
    assert r.status_code == 404 and r.json()["code"] == "nothing_to_claim"
    client.logout()
    assert client.post("/api/reporting/claims/code").status_code == 401


def test_worker_phone_masked_for_others(rw):
    e = entered(rw)
    ob = OnBehalf.objects.select_related("entry__unit").get(entry=e)
    assert onbehalf.shown_phone(rw.ya1_admin, ob) == PHONE
    assert onbehalf.shown_phone(rw.jiao_admin, ob) == "137****1234"
    assert onbehalf.shown_phone(rw.host_staff, ob) == "137****1234"
    assert onbehalf.shown_phone(f.user(phone=PHONE), ob) == PHONE


def test_list_pages_query_count_does_not_grow(client, rw, django_assert_max_num_queries):
    for i in range(3):
        entered(rw, phone=f"1370000{i:04d}")
    client.force_login(rw.yian_admin)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("reporting:onbehalf"))
    assert r.status_code == 200
    for i in range(3, 9):
        entered(rw, phone=f"1370000{i:04d}")
    with django_assert_max_num_queries(12):
        r = client.get(reverse("reporting:onbehalf"))
    assert r.content.decode().count("王师傅") == 9


def test_list_is_paged(client, rw, monkeypatch):
    entries = [entered(rw, phone=f"1370000{i:04d}") for i in range(3)]
    client.force_login(rw.yian_admin)
    monkeypatch.setattr(views_onbehalf, "PAGE", 2)
    r = client.get(reverse("reporting:onbehalf"))
    assert f"?before={entries[1].pk}" in r.content.decode()
    r = client.get(reverse("reporting:onbehalf") + f"?before={entries[1].pk}")
    assert r.content.decode().count("王师傅") == 1


def test_claim_some_and_refusals(rw, django_capture_on_commit_callbacks):
    first, second = entered(rw), entered(rw)
    worker = f.user(phone=PHONE)
    with pytest.raises(NotPermitted):
        onbehalf.send_claim_code(AnonymousUser())
    with pytest.raises(NotPermitted):
        onbehalf.claim(AnonymousUser(), "123456")
    with pytest.raises(DomainError):
        onbehalf.claim(worker, "123456", entries=[999999])
    with django_capture_on_commit_callbacks(execute=True):
        onbehalf.send_claim_code(worker)
    done = onbehalf.claim(worker, last_code(PHONE), entries=[second.pk])
    assert [e.pk for e in done] == [second.pk]
    first.refresh_from_db()
    assert first.submitter == rw.yian_admin
    assert list(onbehalf.claimable(worker)) == [OnBehalf.objects.get(entry=first)]
    superuser = f.user(is_superuser=True)
    assert set(onbehalf.entered_for(superuser).values_list("entry_id", flat=True)) == {first.pk, second.pk}
    assert not onbehalf.entered_for(rw.worker).exists()
