"""The chain's domain functions: recommend within quota, return and reject with reasons, the
walk up to the host, batches, deadlines and extensions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests import factories as f
from zhengji.campaigns import services as campaign_services
from zhengji.campaigns.models import LevelRule
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.errors import DeadlinePassed, DomainError, NotPermitted, QuotaExceeded
from zhengji.common.models import AuditLog, Notification
from zhengji.entries import services as entry_services
from zhengji.entries.models import EntryDecision, EntryStatus
from zhengji.reporting import queries, services
from zhengji.reporting.chain import levels_of, next_level
from zhengji.reporting.models import Batch, ChainPosition, QuotaCounter, UnitOpinion

pytestmark = pytest.mark.django_db


def pos(e):
    return ChainPosition.objects.select_related("level").get(entry=e)


def test_submission_puts_the_entry_in_its_units_queue_and_withdrawal_takes_it_out(rw):
    e = rw.submitted()
    assert pos(e).level == rw.tree["ya1"] and not pos(e).recommended
    assert [o.code for o in levels_of(e)] == ["AH-TL-YA-01", "AH-TL-YA", "AH-TL"]
    assert next_level(rw.tree["ya1"], rw.track) == (rw.tree["yian"], False)
    assert next_level(rw.tree["city"], rw.track) == (rw.host, True)
    entry_services.withdraw(e.submitter, e)
    assert not ChainPosition.objects.filter(entry=e).exists()


def test_full_walk_to_the_host_with_one_return_for_revision(rw):
    e = rw.submitted()
    author = e.submitter
    services.set_opinion(rw.ya1_admin, e, rw.tree["ya1"], "同意推荐")
    services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
    b1 = services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track)
    assert b1.number == f"{rw.campaign.year}-04-AH-TL-YA-01-001" and b1.target == rw.tree["yian"]
    services.send_batch(rw.ya1_admin, b1)
    assert pos(e).level == rw.tree["yian"]
    # 义安区 returns it; the entrant edits and resubmits; it waits again at 义安区.
    services.return_for_revision(rw.yian_admin, [e], rw.tree["yian"], "请补充创作说明")
    e.refresh_from_db()
    assert e.status == EntryStatus.RETURNED and pos(e).level == rw.tree["yian"]
    entry_services.submit(author, e, pledge=True)
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED and pos(e).level == rw.tree["yian"]
    services.recommend(rw.yian_admin, [e], rw.tree["yian"])
    services.send_batch(rw.yian_admin, services.create_batch(rw.yian_admin, rw.tree["yian"], rw.track))
    assert pos(e).level == rw.tree["city"]
    services.recommend(rw.city_admin, [e], rw.tree["city"])
    top = services.create_batch(rw.city_admin, rw.tree["city"], rw.track)
    assert top.to_host and top.target == rw.host
    services.send_batch(rw.city_admin, top)
    e.refresh_from_db()
    assert e.status == EntryStatus.REPORTED and pos(e).level == rw.host
    decisions = list(EntryDecision.objects.filter(entry=e).values_list("level__code", "decision"))
    assert decisions == [("AH-TL-YA-01", "recommended"), ("AH-TL-YA", "returned"), ("AH-TL-YA", "recommended"),
                         ("AH-TL", "recommended")]
    assert list(e.events.values_list("transition", flat=True))[-3:] == ["report_up", "recommend", "report_to_host"]
    assert AuditLog.objects.filter(action="batch.send").count() == 3
    assert UnitOpinion.objects.get(entry=e).text == "同意推荐"


def test_quota_is_enforced_all_or_nothing_with_a_message_naming_it(rw):
    es = rw.many(4)
    services.recommend(rw.ya1_admin, es[:2], rw.tree["ya1"])
    with pytest.raises(QuotaExceeded) as exc:
        services.recommend(rw.ya1_admin2, es[2:], rw.tree["ya1"])
    assert "3" in str(exc.value.message) and "配额已满" in str(exc.value.message)
    assert QuotaCounter.objects.get(org=rw.tree["ya1"], track=rw.track).used == 2
    assert not ChainPosition.objects.filter(entry__in=es[2:], recommended=True).exists()
    # Returning a recommended entry frees its slot.
    services.return_for_revision(rw.ya1_admin, [es[0]], rw.tree["ya1"], "改一改")
    services.recommend(rw.ya1_admin2, es[2:], rw.tree["ya1"])
    assert QuotaCounter.objects.get(org=rw.tree["ya1"], track=rw.track).used == 3


def test_reject_needs_a_reason_and_frees_the_slot(rw):
    e = rw.submitted()
    services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
    with pytest.raises(DomainError):
        services.reject(rw.ya1_admin, [e], rw.tree["ya1"], " ")
    services.reject(rw.ya1_admin, [e], rw.tree["ya1"], "不符合主题")
    e.refresh_from_db()
    assert e.status == EntryStatus.REJECTED and QuotaCounter.objects.get(org=rw.tree["ya1"]).used == 0


def test_only_admins_of_the_waiting_level_or_above_decide(rw):
    e = rw.submitted()
    for actor, level in ((rw.jiao_admin, rw.tree["ya1"]), (rw.jq1_admin, rw.tree["jq1"]),
                         (rw.worker, rw.tree["ya1"])):
        with pytest.raises(NotPermitted):
            services.recommend(actor, [e], level)
    with pytest.raises(DomainError) as exc:  # 义安区 may act for ya1, but the entry waits at ya1
        services.recommend(rw.yian_admin, [e], rw.tree["yian"])
    assert exc.value.code == "not_at_level"
    services.recommend(rw.yian_admin, [e], rw.tree["ya1"])  # an ancestor's admin acts at ya1's level


def test_reorder_and_batch_order(rw):
    es = rw.many(3)
    services.recommend(rw.ya1_admin, es, rw.tree["ya1"])
    services.reorder_recommended(rw.ya1_admin, rw.tree["ya1"], rw.track, [es[2].pk, es[0].pk, es[1].pk])
    b = services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track, note="第一批")
    assert list(b.items.values_list("entry_id", flat=True)) == [es[2].pk, es[0].pk, es[1].pk]
    with pytest.raises(DomainError):
        services.reorder_recommended(rw.ya1_admin, rw.tree["ya1"], rw.track, [es[0].pk])
    # Refreshing the draft keeps one draft; sending twice is refused.
    assert services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track).pk == b.pk
    services.send_batch(rw.ya1_admin, b)
    with pytest.raises(DomainError) as exc:
        services.send_batch(rw.ya1_admin, b)
    assert exc.value.code == "already_sent"
    assert Batch.objects.count() == 1


def test_deadline_gates_each_level_and_an_extension_reopens_one_unit(rw):
    e = rw.submitted()
    other = rw.submitted(unit="ya2")
    deadline = LevelRule.objects.get(campaign=rw.campaign, org_kind="grassroots").deadline
    late = deadline + dt.timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        with pytest.raises(DeadlinePassed) as exc:
            services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
        assert timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M") in str(exc.value.message)
        assert "截止" in str(exc.value.message)
    with time_machine.travel(deadline - dt.timedelta(minutes=1), tick=False):
        campaign_services.grant_extension(rw.yian_admin, rw.campaign, rw.tree["ya1"],
                                          deadline + dt.timedelta(days=2), track=rw.track, reason="停电")
    with time_machine.travel(late, tick=False):
        services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
        ya2_admin = rw.yian_admin
        with pytest.raises(DeadlinePassed):  # ya2 has no extension
            services.recommend(ya2_admin, [other], rw.tree["ya2"])
    # The `at` argument says the same without moving the clock.
    with pytest.raises(DeadlinePassed):
        services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track, at=deadline + dt.timedelta(days=3))


def test_kernel_return_resubmit_and_withdraw_keep_the_queue_right(rw):
    e = rw.submitted()
    entry_services.return_entry(rw.ya1_admin, e, "请改标题", level=rw.tree["ya1"])
    assert pos(e).level == rw.tree["ya1"] and not pos(e).recommended
    entry_services.submit(e.submitter, e, pledge=True)
    assert pos(e).level == rw.tree["ya1"]
    services.return_for_revision(rw.ya1_admin, [e], rw.tree["ya1"], "再改")
    entry_services.withdraw(e.submitter, e)
    assert not ChainPosition.objects.filter(entry=e).exists()


def test_a_return_at_a_higher_level_tells_the_entrant(rw):
    e = rw.submitted()
    services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
    services.send_batch(rw.ya1_admin, services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track))
    services.return_for_revision(rw.yian_admin, [e], rw.tree["yian"], "区级：请补充")
    note = Notification.objects.filter(user=e.submitter).order_by("-id").first()
    assert note is not None and "区级：请补充" in note.body
    assert e.events.filter(transition="return_at_level", level=rw.tree["yian"]).exists()
    assert AuditLog.objects.filter(action="entry.return", org_path=rw.tree["yian"].path).exists()


def test_host_staff_of_another_track_sees_no_batch(rw):
    e = rw.submitted(unit="ya1")
    for admin, level in ((rw.ya1_admin, "ya1"), (rw.yian_admin, "yian"), (rw.city_admin, "city")):
        services.recommend(admin, [e], rw.tree[level])
        top = services.send_batch(admin, services.create_batch(admin, rw.tree[level], rw.track))
    other = f.user()
    f.grant(other, CampaignRole.HOST_STAFF, track=rw.other_track)
    assert queries.batch_for(other, top.pk) is None and not queries.batches_for(other, "received").exists()
    assert queries.batch_for(rw.host_staff, top.pk) == top
    assert list(queries.batches_for(rw.host_staff, "received")) == [top]


def test_a_level_the_entry_has_left_can_no_longer_return_it(rw):
    e = rw.submitted()
    services.recommend(rw.ya1_admin, [e], rw.tree["ya1"])
    services.send_batch(rw.ya1_admin, services.create_batch(rw.ya1_admin, rw.tree["ya1"], rw.track))
    services.return_for_revision(rw.yian_admin, [e], rw.tree["yian"], "请补充")
    entry_services.submit(e.submitter, e, pledge=True)
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED and pos(e).level == rw.tree["yian"]
    assert not rw.ya1_admin.has_perm("entries.return_entry", e)
    with pytest.raises(NotPermitted):
        entry_services.return_entry(rw.ya1_admin, e, "基层想退回")
    assert rw.yian_admin.has_perm("entries.return_entry", e) and rw.city_admin.has_perm("entries.return_entry", e)
