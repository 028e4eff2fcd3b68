"""Publicity pages: the staff page (publish, withdraw, finalise), the moderators' queue and one
objection, the public list and results, the objection form, "my objections"; who may NOT;
query counts on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.review.builders_publicity import PublicityWorld, evidence
from zhengji.common.registry import centre
from zhengji.entries.models import Entry, EntryAuthor, EntryStatus
from zhengji.review.domain import publicity as domain
from zhengji.review.models import Objection, ObjectionStatus, Publicity, PublicityStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return PublicityWorld()


def objection(w, pub, **kw):
    args = dict(name="张三", unit_name="某公司", reason="涉嫌抄袭")
    args.update(kw)
    return domain.file_objection(w.objector, pub, w.awarded[0], **args)


# --- staff: the track's publicity page -----------------------------------------------------------------

def test_manage_page_publish_and_finalise_refused_before_the_end(client, w):
    url = reverse("review:publicity_manage", args=[w.track.pk])
    client.force_login(w.host_staff)
    r = client.get(url)
    assert r.status_code == 200 and w.snapshot.sha256 in r.content.decode()
    r = client.post(url, {"action": "publish"}, follow=True)
    pub = Publicity.objects.get(track=w.track)
    assert r.status_code == 200 and timezone.localtime(pub.ends).strftime("%Y-%m-%d") in r.content.decode()
    r = client.post(url, {"action": "finalise"}, follow=True)
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.OPEN
    assert timezone.localtime(pub.ends).strftime("%Y-%m-%d %H:%M") in r.content.decode()
    r = client.post(url, {"action": "withdraw", "reason": ""}, follow=True)
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.OPEN
    client.post(url, {"action": "withdraw", "reason": "名单有误"})
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.WITHDRAWN
    r = client.post(url, {"action": "nonsense"}, follow=True)
    assert r.status_code == 200


def test_manage_page_finalise_after_the_end(client, w):
    pub = w.publicity(starts=timezone.now() - dt.timedelta(days=10), ends=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(w.campaign_admin)
    r = client.get(reverse("review:publicity_manage", args=[w.track.pk]))
    assert r.status_code == 200
    client.post(reverse("review:publicity_manage", args=[w.track.pk]), {"action": "finalise"})
    assert Publicity.objects.get(pk=pub.pk).status == PublicityStatus.FINALISED
    assert Entry.objects.get(pk=w.awarded[0].pk).status == EntryStatus.AWARDED


@pytest.mark.parametrize("who", ["moderator", "other_staff", "objector", "judge"])
def test_manage_page_refused(client, w, who):
    user = w.judge(None).user if who == "judge" else getattr(w, who)
    client.force_login(user)
    url = reverse("review:publicity_manage", args=[w.track.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "publish"}).status_code == 403
    assert not Publicity.objects.exists()


def test_manage_page_anonymous_and_wrong_method(client, w):
    url = reverse("review:publicity_manage", args=[w.track.pk])
    assert client.get(url).status_code == 302
    client.force_login(w.host_staff)
    assert client.put(url).status_code == 405
    assert client.get(reverse("review:publicity_manage", args=[99999])).status_code == 404


# --- moderators: the queue and one objection --------------------------------------------------------

def test_queue_lists_open_then_handled_with_few_queries(client, w, django_assert_max_num_queries):
    pub = w.publicity()
    objs = [domain.file_objection(f.user(), pub, w.awarded[i % 3], name=f"人{i}", unit_name="单位", reason="理由")
            for i in range(12)]
    domain.dismiss(w.moderator, objs[0], "不属实")
    client.force_login(w.moderator)
    url = reverse("review:objections")
    with django_assert_max_num_queries(10):
        r = client.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and body.count("data-objection=") == 11
    r = client.get(url, {"state": "handled"})
    assert r.content.decode().count("data-objection=") == 1
    r = client.get(url, {"state": "all", "track": w.track.pk, "page": "x"})
    assert r.content.decode().count("data-objection=") == 12
    # The track's staff read the queue of their track; other staff see nothing of it.
    client.force_login(w.host_staff)
    assert client.get(url).content.decode().count("data-objection=") == 11
    client.force_login(w.other_staff)
    assert client.get(url).content.decode().count("data-objection=") == 0


def test_queue_refused(client, w):
    url = reverse("review:objections")
    assert client.get(url).status_code == 302
    client.force_login(w.objector)
    assert client.get(url).status_code == 403
    client.force_login(w.judge(None).user)
    assert client.get(url).status_code == 403
    client.force_login(w.moderator)
    assert client.post(url).status_code == 405


def test_objection_page_dismiss_and_uphold(client, w, django_capture_on_commit_callbacks):
    pub = w.publicity()
    m = evidence(w.objector)
    a = objection(w, pub, evidence_media_ids=[m.pk])
    b = objection(w, pub)
    client.force_login(w.moderator)
    url = reverse("review:objection", args=[a.pk])
    r = client.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "涉嫌抄袭" in body and reverse("media:original", args=[m.pk]) in body
    # The moderator may open the evidence.
    assert client.get(reverse("media:original", args=[m.pk])).status_code == 200
    r = client.post(url, {"action": "dismiss", "reply": ""})
    assert r.status_code == 400 and Objection.objects.get(pk=a.pk).status == ObjectionStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"action": "dismiss", "reply": "不属实"})
    assert r.status_code == 302 and Objection.objects.get(pk=a.pk).status == ObjectionStatus.DISMISSED
    client.post(reverse("review:objection", args=[b.pk]), {"action": "uphold", "reply": ""})
    assert Objection.objects.get(pk=b.pk).status == ObjectionStatus.UPHELD


def test_objection_page_who_may_not(client, w):
    pub = w.publicity()
    m = evidence(w.objector)
    a = objection(w, pub, evidence_media_ids=[m.pk])
    url = reverse("review:objection", args=[a.pk])
    # The track's staff read it (and its evidence) but may not handle it.
    client.force_login(w.host_staff)
    assert client.get(url).status_code == 200
    assert client.get(reverse("media:original", args=[m.pk])).status_code == 200
    assert client.post(url, {"action": "dismiss", "reply": "x"}).status_code == 403
    for user in (w.other_staff, w.judge(None).user, f.user()):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "dismiss", "reply": "x"}).status_code == 404
        assert client.get(reverse("media:original", args=[m.pk])).status_code in (403, 404)
    assert Objection.objects.get(pk=a.pk).status == ObjectionStatus.OPEN


# --- public pages -------------------------------------------------------------------------------------

def test_public_list_and_results_show_tiers_hash_and_no_phone(client, w, django_assert_max_num_queries):
    EntryAuthor.objects.create(entry=w.awarded[0], position=5, name="作者甲", unit_name="某公司")
    pub = w.publicity()
    w.reopen(w.freeze(version=9), reason="更正分数")
    with django_assert_max_num_queries(6):
        r = client.get(reverse("results:index"))
    assert r.status_code == 200 and reverse("results:publicity", args=[pub.pk]) in r.content.decode()
    with django_assert_max_num_queries(8):
        r = client.get(reverse("results:publicity", args=[pub.pk]))
    body = r.content.decode()
    assert w.snapshot.sha256 in body and "一等奖" in body and "二等奖" in body and "更正分数" in body
    assert "作者甲" in body and w.awarded[0].unit.name in body and w.awarded[0].title in body
    assert w.others[0].title not in body
    for e in w.awarded:
        assert e.submitter.phone not in body and (e.contact_phone or "@@") not in body
    assert client.get(reverse("results:track", args=[w.track.pk])).status_code == 200
    assert client.get(reverse("results:track", args=[w.other_track.pk])).status_code == 404
    Publicity.objects.filter(pk=pub.pk).update(status=PublicityStatus.WITHDRAWN)
    assert client.get(reverse("results:publicity", args=[pub.pk])).status_code == 404
    assert "no-results" in client.get(reverse("results:index")).content.decode()


def test_final_results_page(client, w):
    pub = w.publicity(starts=timezone.now() - dt.timedelta(days=10), ends=timezone.now() - dt.timedelta(minutes=1))
    domain.finalise(w.host_staff, w.track)
    r = client.get(reverse("results:track", args=[w.track.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and w.snapshot.sha256 in body and "object-btn" not in body
    assert reverse("results:objection_new", args=[pub.pk]) not in body


def test_objection_form_files_an_objection(client, w):
    pub = w.publicity()
    url = reverse("results:objection_new", args=[pub.pk])
    assert client.get(url).status_code == 302  # login required
    client.force_login(w.objector)
    r = client.get(url, {"entry": w.awarded[1].pk})
    body = r.content.decode()
    assert r.status_code == 200 and "data-zj-uploader" in body and "objection_evidence" in body
    m = evidence(w.objector)
    letter = evidence(w.objector, name="公函.png")
    data = {"entry": w.awarded[1].pk, "name": "李四", "unit_name": "某厂", "reason": "数据不实",
            "evidence": str(m.pk), "on_behalf_of_unit": "on", "sealed_letter": ""}
    r = client.post(url, data)
    assert r.status_code == 400 and not Objection.objects.exists()
    r = client.post(url, {**data, "sealed_letter": str(letter.pk)})
    assert r.status_code == 302 and r.url == reverse("results:my_objections")
    obj = Objection.objects.get()
    assert obj.entry_id == w.awarded[1].pk and obj.sealed_letter == letter and obj.phone == w.objector.phone
    # Not on the list: the form refuses the choice.
    r = client.post(url, {**data, "entry": w.others[0].pk, "on_behalf_of_unit": ""})
    assert r.status_code == 400
    # My objections, and the centre panel.
    r = client.get(reverse("results:my_objections"))
    assert r.status_code == 200 and "数据不实" in r.content.decode()
    panels = [p for p in centre.panels(w.objector) if p.key == "review.objections"]
    assert panels and panels[0].items[0].url == reverse("results:my_objections")


def test_objection_form_refusals(client, w):
    pub = w.publicity()
    url = reverse("results:objection_new", args=[pub.pk])
    client.force_login(w.unverified)
    r = client.get(url)
    assert "verify-phone" in r.content.decode()
    r = client.post(url, {"entry": w.awarded[0].pk, "name": "x", "unit_name": "y", "reason": "z"})
    assert r.status_code == 409 and not Objection.objects.exists()
    client.force_login(w.objector)
    Publicity.objects.filter(pk=pub.pk).update(ends=timezone.now() - dt.timedelta(seconds=1))
    r = client.get(url)
    assert "id=\"closed\"" in r.content.decode()
    assert client.post(url, {"entry": w.awarded[0].pk, "name": "x", "unit_name": "y",
                             "reason": "z"}).status_code == 409
    assert client.get(reverse("results:objection_new", args=[99999])).status_code == 404


def test_my_objections_needs_login_and_shows_only_mine(client, w):
    pub = w.publicity()
    objection(w, pub, reason="作品涉嫌抄袭他人")
    assert client.get(reverse("results:my_objections")).status_code == 302
    client.force_login(w.moderator)
    assert "作品涉嫌抄袭他人" not in client.get(reverse("results:my_objections")).content.decode()
    assert not [p for p in centre.panels(w.moderator) if p.key == "review.objections"]
