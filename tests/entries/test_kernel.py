"""The entry kernel: one policy seen alike everywhere, one workflow table that refuses every step
it does not list, state-aware permissions in pages and API, a blind projection that leaks nothing,
decisions and audit records scoped to the deciding level's subtree, extensions."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from zhengji.campaigns import services as campaign_services
from zhengji.campaigns.models import LevelRule
from zhengji.campaigns.policy import policy_for
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.errors import DeadlinePassed, DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries import services, transitions, workflow
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.services import Changes
from zhengji.entries.workflow import TransitionRefused
from zhengji.review.models import Assignment, Round, RoundKind, RoundStatus

from .builders import GOOD_DATA, SCHEMA, media
from .builders import worker as make_worker

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _json(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


# --- one policy ----------------------------------------------------------------------------------------

def test_a_moved_level_deadline_is_seen_alike_by_pages_api_public_site_and_domain(client, world):
    e = world.submitted()
    first = (timezone.now() + dt.timedelta(days=3)).astimezone(SH).replace(second=0, microsecond=0)
    admin = f.user(is_superuser=True)
    rows = [{"org_kind": "grassroots", "deadline": first, "quota": 3}]
    campaign_services.set_level_rules(admin, world.campaign, rows)
    moved = first + dt.timedelta(days=2, hours=5)
    campaign_services.set_level_rules(admin, world.campaign, [{**rows[0], "deadline": moved}])
    shown = moved.strftime("%Y-%m-%d %H:%M")
    client.force_login(world.worker)
    # The entrant's pages and API.
    assert shown in client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert shown in client.get(reverse("entries:edit", args=[e.pk])).content.decode()
    api = client.get(f"/api/entries/{e.pk}").json()
    assert dt.datetime.fromisoformat(api["deadline"]) == moved
    # The campaigns API and the public site (page and API).
    track_api = client.get(f"/api/campaigns/{world.campaign.slug}/tracks/{world.track.slug}").json()
    grassroots = next(d for d in track_api["deadlines"] if d["org_kind"] == "grassroots")
    assert dt.datetime.fromisoformat(grassroots["deadline"]) == moved
    page = client.get(reverse("public:track", args=[world.campaign.slug, world.track.slug])).content.decode()
    assert shown in page and "北京时间" in page
    public = client.get(f"/api/public/campaigns/{world.campaign.slug}").json()
    track = next(t for t in public["tracks"] if t["slug"] == world.track.slug)
    assert dt.datetime.fromisoformat(track["deadlines"][0]["deadline"]) == moved
    # The domain enforces the same moment: a minute before it an edit passes, a minute after not.
    with time_machine.travel(moved - dt.timedelta(minutes=1), tick=False):
        services.save_draft(world.worker, e, Changes(title="改一改"))
    with time_machine.travel(moved + dt.timedelta(minutes=1), tick=False), pytest.raises(DeadlinePassed):
        services.save_draft(world.worker, e, Changes(title="太晚了"))


def test_policy_answers_at_a_given_moment_without_moving_the_clock(world):
    c = world.campaign
    before = policy_for(c, dt.datetime.combine(c.collect_start, dt.time(9), tzinfo=SH) - dt.timedelta(days=1))
    during = policy_for(c, dt.datetime.combine(c.collect_start, dt.time(9), tzinfo=SH))
    after = policy_for(c, dt.datetime.combine(c.collect_end, dt.time(9), tzinfo=SH) + dt.timedelta(days=1))
    assert (before.is_collecting(world.track), during.is_collecting(world.track), after.is_collecting(world.track)) \
        == (False, True, False)
    assert after.phase == "closed"  # the gap before review: its own phase, not "collecting"
    # Domain functions take the same moment: a draft started "in" the collection period.
    e = services.create_draft(world.worker, world.track, changes=Changes(title="回到过去"), at=during.at)
    assert e.events.get().at == during.at
    with pytest.raises(Exception) as exc:
        services.create_draft(world.worker, world.track, at=after.at)
    assert getattr(exc.value, "code", "") == "collection_closed"


def test_extension_moves_one_units_deadline_and_only_the_level_above_grants_it(world):
    c = world.campaign
    LevelRule.objects.create(campaign=c, org_kind="grassroots",
                             deadline=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(DeadlinePassed):
        services.create_draft(world.worker, world.track)
    until = timezone.now() + dt.timedelta(days=2)
    for actor in (world.ya1_admin, world.jiao_admin, world.worker):
        with pytest.raises(NotPermitted):
            campaign_services.grant_extension(actor, c, world.tree["ya1"], until, reason="停电")
    ext = campaign_services.grant_extension(world.yian_admin, c, world.tree["ya1"], until, track=world.track,
                                            reason="停电两天")
    assert policy_for(c).deadline(world.track, world.tree["ya1"]) == ext.until
    assert policy_for(c).deadline(world.track, world.tree["ya2"]) < timezone.now()  # others keep theirs
    services.create_draft(world.worker, world.track, changes=Changes(title="延期后"))
    rec = AuditLog.objects.get(action="deadline.extend")
    assert rec.org_path == world.tree["ya1"].path and rec.reason == "停电两天"
    # After collection ends, the extension still lets that unit's entrants finish.
    later = dt.datetime.combine(c.collect_end, dt.time(12), tzinfo=SH) + dt.timedelta(days=1)
    campaign_services.grant_extension(world.yian_admin, c, world.tree["ya1"], later + dt.timedelta(days=1),
                                      track=world.track, reason="再延")
    assert policy_for(c, later).accepts_entries(world.track, world.tree["ya1"])
    assert not policy_for(c, later).accepts_entries(world.track, world.tree["ya2"])


# --- one workflow ----------------------------------------------------------------------------------------

ACTORS = {"save": "worker", "edit": "worker", "submit": "worker", "resubmit": "worker", "withdraw": "worker",
          "return": "yian_admin"}


def test_every_step_not_in_the_table_is_refused_with_a_clear_message(world):
    e = world.submitted()
    refused = 0
    # Review's steps belong to the track's review staff (a superuser here); the reporting chain's
    # to the unit admins.
    reviewer = f.user(is_superuser=True)
    for status in EntryStatus.values:
        for name, t in transitions.TRANSITIONS.items():
            if t.allows(status):
                continue
            Entry.objects.filter(pk=e.pk).update(status=status)
            actor = reviewer if t.permission.startswith("review.") else getattr(world, ACTORS.get(name, "yian_admin"))
            with pytest.raises(TransitionRefused) as exc:
                workflow.apply(actor, e.pk, name, reason="理由", level=world.tree["yian"])
            assert exc.value.status == 409 and exc.value.code and str(exc.value.message)
            assert Entry.objects.get(pk=e.pk).status == status
            refused += 1
    assert refused >= len(EntryStatus.values) * 3
    assert not e.events.filter(transition="return").exists()


def test_unknown_step_is_refused():
    with pytest.raises(KeyError):
        transitions.get("publish_everything")


def test_a_later_app_adds_a_step_by_registering_a_row(world, django_capture_on_commit_callbacks):
    t = transitions.Transition(name="test_recommend", sources=frozenset({EntryStatus.SUBMITTED}),
                               target=EntryStatus.RECOMMENDED, permission="entries.return_entry",
                               audit_action="entry.recommend", decision="recommended")
    transitions.register(t)
    try:
        seen = []

        def listener(sender, transition, entry, event, **kw):
            seen.append((transition.name, entry.pk, event.transition))

        workflow.entry_transitioned.connect(listener)
        e = world.submitted()
        with pytest.raises(DomainError):  # a decision needs its level
            workflow.apply(world.yian_admin, e, "test_recommend")
        with django_capture_on_commit_callbacks(execute=True):
            applied = workflow.apply(world.yian_admin, e, "test_recommend", level=world.tree["yian"])
        assert applied.entry.status == EntryStatus.RECOMMENDED
        assert seen == [("test_recommend", e.pk, "test_recommend")]  # the signal reaches a receiver
        assert e.decisions.get().decision == "recommended"
        workflow.entry_transitioned.disconnect(listener)
    finally:
        transitions.TRANSITIONS.pop("test_recommend")


def test_withdraw_after_review_started_is_refused_in_page_and_api(client, world):
    e = world.submitted()
    Entry.objects.filter(pk=e.pk).update(status=EntryStatus.RECOMMENDED)
    client.force_login(world.worker)
    detail = client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert reverse("entries:withdraw", args=[e.pk]) not in detail
    page = client.get(reverse("entries:withdraw", args=[e.pk]))
    assert page.status_code == 409 and "不能再撤回" in page.content.decode() and 'name="confirm"' not in \
        page.content.decode()
    post = client.post(reverse("entries:withdraw", args=[e.pk]), {"confirm": "yes"})
    assert post.status_code == 400 and "不能再撤回" in post.content.decode()
    r = _json(client, "post", f"/api/entries/{e.pk}/withdraw", {"reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "not_withdrawable" and "不能再撤回" in r.json()["message"]
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.RECOMMENDED
    # The same permission, asked of the rules: the template and the API agree.
    e.refresh_from_db()
    assert not world.worker.has_perm("entries.withdraw_entry", e)
    Entry.objects.filter(pk=e.pk).update(status=EntryStatus.SUBMITTED)
    e.refresh_from_db()
    assert world.worker.has_perm("entries.withdraw_entry", e)
    assert not world.yian_admin.has_perm("entries.withdraw_entry", e)


def test_drafts_are_private_to_the_entrant(client, world):
    d = world.draft(title="草稿")
    client.force_login(world.yian_admin)
    assert client.get(reverse("entries:detail", args=[d.pk])).status_code == 404
    assert client.get(f"/api/entries/{d.pk}").status_code == 404
    assert all(item["id"] != d.pk for item in client.get("/api/entries?scope=unit").json())


# --- the blind projection ---------------------------------------------------------------------------------

PLANTED = ("王秘密", "13977771234", "义安区某公司工会", "王秘密的作品原图", "wangmimi_account")


def _blind_world(world):
    schema = SCHEMA + [{"key": "account", "type": "text", "label": "账号名称", "identifying": True}]
    world.track.form_schema = schema
    world.track.save()
    author = make_worker(world.tree["ya1"], phone="13977771234", real_name="王秘密", username="wangmimi")
    e = services.create_draft(author, world.track, changes=Changes(
        title="匠心", summary="一幅关于劳动的作品", data={**GOOD_DATA, "account": "wangmimi_account"},
        authors=[{"name": "王秘密", "unit_name": "义安区某公司工会", "role": "摄影"}]))
    m = media(author, slot="photos", name="王秘密的作品原图.png")
    services.save_draft(author, e, Changes(files={"photos": [m.pk]}))
    e = services.submit(author, e, pledge=True)
    Entry.objects.filter(pk=e.pk).update(status=EntryStatus.ELIGIBLE)
    judge = f.user(real_name="评委甲")
    f.grant(judge, CampaignRole.JUDGE, track=world.track)
    # With the review app, a judge sees an entry assigned to them in an open round.
    now = timezone.now()
    rnd = Round.objects.create(track=world.track, position=1, kind=RoundKind.SCORING, name="复审",
                               status=RoundStatus.OPEN, opens=now - dt.timedelta(days=1),
                               closes=now + dt.timedelta(days=1))
    Assignment.objects.create(round=rnd, entry=e, judge=judge)
    return e, judge, m


def test_the_blind_projection_leaks_nothing_through_any_surface(client, world):
    e, judge, m = _blind_world(world)
    client.force_login(judge)
    surfaces = {
        "api blind": client.get(f"/api/entries/{e.pk}/blind"),
        "blind page": client.get(reverse("entries:blind", args=[e.pk])),
    }
    assert all(r.status_code == 200 for r in surfaces.values()), {k: r.status_code for k, r in surfaces.items()}
    body = surfaces["api blind"].json()
    assert body["title"] == "匠心" and body["files"] and body["files"][0]["name"].endswith(".png")
    assert "account" not in body["data"] and body["data"]["creator_note"] == "原创"
    # Everything else a judge could try answers nothing about the entrant.
    refused = {
        "api detail": client.get(f"/api/entries/{e.pk}"),
        "api status": client.get(f"/api/entries/{e.pk}/status"),
        "detail page": client.get(reverse("entries:detail", args=[e.pk])),
        "receipt": client.get(reverse("entries:receipt", args=[e.pk])),
        "original": client.get(reverse("media:original", args=[m.pk])),
        "media status": client.get(reverse("media:status", args=[m.pk]) + "?format=json"),
        "unit list": client.get("/api/entries?scope=unit"),
    }
    for name, r in {**surfaces, **refused}.items():
        text = r.content.decode("utf-8", "replace")
        for secret in PLANTED:
            assert secret not in text, (name, secret)
        assert "139****1234" not in text and "1234" not in text.replace(str(e.pk), ""), name
    assert refused["api detail"].status_code == 404 and refused["detail page"].status_code == 404


def test_judges_never_get_entries_of_their_own_subtree(client, world):
    e, _judge, _m = _blind_world(world)
    insider = f.unit_admin(world.tree["yian"])
    f.grant(insider, CampaignRole.JUDGE, track=world.track)
    client.force_login(insider)
    assert client.get(f"/api/entries/{e.pk}/blind").status_code == 404
    outsider = f.user()
    f.grant(outsider, CampaignRole.JUDGE, track=world.unit_track)  # another track
    client.force_login(outsider)
    assert client.get(f"/api/entries/{e.pk}/blind").status_code == 404


# --- decisions and audit scoped to the deciding level -------------------------------------------------------

def test_a_unit_admin_never_sees_decisions_or_audit_of_another_subtree(client, world):
    city_admin = f.unit_admin(world.tree["city"])
    e = world.submitted()
    services.return_entry(city_admin, e, "市级：请补充说明")
    decision = e.decisions.get()
    assert decision.level == world.tree["city"]
    # 义安区 sees its entry returned, but not the city's decision, reason or staff name.
    client.force_login(world.yian_admin)
    page = client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert "市级：请补充说明" not in page and city_admin.display_name not in page
    status = client.get(f"/api/entries/{e.pk}/status").json()
    assert all(h["reason"] != "市级：请补充说明" for h in status["history"])
    audit = client.get("/api/audit?action=entry.return").json()
    assert audit["results"] == [] or all(r["object_id"] != str(e.pk) for r in audit["results"])
    # The city sees its own decision; the entrant sees the reason but no staff name.
    client.force_login(city_admin)
    audit = client.get("/api/audit?action=entry.return").json()
    assert [r["object_id"] for r in audit["results"]] == [str(e.pk)]
    assert "市级：请补充说明" in client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    client.force_login(world.worker)
    page = client.get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert "市级：请补充说明" in page and city_admin.display_name not in page and "铜陵市总工会" in page
    # 郊区 learns nothing at all.
    client.force_login(world.jiao_admin)
    assert client.get(reverse("entries:detail", args=[e.pk])).status_code == 404
    assert client.get("/api/audit").json()["results"] == [] or all(
        r["object_id"] != str(e.pk) for r in client.get("/api/audit").json()["results"])


def test_extensions_through_the_api(client, world):
    url = f"/api/campaigns/{world.campaign.slug}/extensions"
    until = (timezone.now() + dt.timedelta(days=3)).astimezone(SH).replace(microsecond=0)
    body = {"org": world.tree["ya1"].pk, "until": until.isoformat(), "track": world.track.slug, "reason": "停电"}
    for who, status in ((world.ya1_admin, 403), (world.jiao_admin, 403), (world.worker, 403)):
        client.force_login(who)
        assert _json(client, "post", url, body).status_code == status
    client.force_login(world.yian_admin)
    assert _json(client, "post", url, {**body, "reason": ""}).status_code == 400
    assert _json(client, "post", url, {**body, "org": 999999}).status_code == 404
    r = _json(client, "post", url, body)
    assert r.status_code == 201 and r.json()["org_name"] == world.tree["ya1"].name
    assert [e["id"] for e in client.get(url).json()] == [r.json()["id"]]
    client.force_login(world.jiao_admin)
    assert client.get(url).json() == []
    assert client.delete(f"{url}/{r.json()['id']}").status_code == 403
    client.force_login(world.yian_admin)
    assert client.delete(f"{url}/{r.json()['id']}").status_code == 204
    client.logout()
    assert _json(client, "post", url, body).status_code == 401
