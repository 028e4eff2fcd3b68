"""Issue 8 points 1 and 7 in the entries domain: what an unconfirmed member may do (per campaign),
an untouched draft is taken up again, drafts can be deleted."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.entries.builders import media
from zhengji.campaigns.models import PendingMembers
from zhengji.campaigns.policy import policy_for
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries import services
from zhengji.entries.models import Entry, EntryFile, EntryStatus
from zhengji.entries.services import Changes
from zhengji.media.models import MediaFile
from zhengji.orgs import membership
from zhengji.orgs.models import MembershipStatus

pytestmark = pytest.mark.django_db


def pending_worker(world, org=None, **kw):
    u = f.user(real_name=kw.pop("real_name", "王五"), **kw)
    membership.join_org(u, org or world.tree["ya1"])
    return u


def complete(world, user):
    e = world.draft(user, title="作品", summary="简介", data={"creator_note": "原创"})
    m = media(user, slot="photos")
    return services.save_draft(user, e, Changes(files={"photos": [m.pk]}))


def test_default_policy_lets_pending_members_draft_but_not_submit(world):
    assert world.campaign.pending_members == PendingMembers.DRAFTS
    u = pending_worker(world)
    e = complete(world, u)
    assert e.unit == world.tree["ya1"] and e.status == EntryStatus.DRAFT
    with pytest.raises(DomainError) as exc:
        services.submit(u, e, pledge=True)
    assert exc.value.code == "membership_unconfirmed"
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.DRAFT
    membership.decide_membership(world.ya1_admin, u.membership, confirm=True)
    assert services.submit(u, Entry.objects.get(pk=e.pk), pledge=True).status == EntryStatus.SUBMITTED


def test_policy_nothing_refuses_drafts_of_pending_members(world):
    world.campaign.pending_members = PendingMembers.NOTHING
    world.campaign.save()
    u = pending_worker(world)
    with pytest.raises(DomainError) as exc:
        world.draft(u, title="x")
    assert exc.value.code == "membership_required"


def test_policy_submit_lets_pending_members_submit(world):
    world.campaign.pending_members = PendingMembers.SUBMIT
    world.campaign.save()
    u = pending_worker(world)
    assert services.submit(u, complete(world, u), pledge=True).status == EntryStatus.SUBMITTED


def test_declined_member_cannot_start(world):
    u = pending_worker(world)
    membership.decide_membership(world.ya1_admin, u.membership, confirm=False, reason="不是本单位职工")
    u.membership.refresh_from_db()
    assert u.membership.status == MembershipStatus.REJECTED and u.membership.decision_reason == "不是本单位职工"
    with pytest.raises(DomainError) as exc:
        world.draft(u, title="x")
    assert exc.value.code == "membership_required"


def test_policy_answers(world):
    p = policy_for(world.campaign)
    assert p.member_may_draft(True) and p.member_may_submit(True)
    assert p.member_may_draft(False) and not p.member_may_submit(False)
    world.campaign.pending_members = PendingMembers.NOTHING
    assert not policy_for(world.campaign).member_may_draft(False)


def test_empty_draft_is_reused_only_when_asked(world):
    a = services.create_draft(world.worker, world.track, reuse_empty=True)
    b = services.create_draft(world.worker, world.track, changes=Changes(title="新标题"), reuse_empty=True)
    assert a.pk == b.pk and b.title == "新标题"
    c = services.create_draft(world.worker, world.track, reuse_empty=True)
    assert c.pk == a.pk
    assert services.create_draft(world.worker, world.track).pk != a.pk  # the API and imports: always new


def test_draft_with_content_is_not_reused(world):
    a = world.draft(title="x", summary="写了一些")
    b = services.create_draft(world.worker, world.track, reuse_empty=True)
    assert a.pk != b.pk
    m = media(world.worker, slot="photos", entry=b)
    assert m.entry_link.entry_id == b.pk
    c = services.create_draft(world.worker, world.track, reuse_empty=True)
    assert c.pk not in (a.pk, b.pk)


def test_delete_draft_releases_files_and_is_audited(world):
    e = world.draft(title="草稿")
    m = media(world.worker, slot="photos", entry=e)
    services.delete_draft(world.worker, e)
    assert not Entry.objects.filter(pk=e.pk).exists()
    assert MediaFile.objects.filter(pk=m.pk).exists() and not EntryFile.objects.filter(media=m).exists()
    log = AuditLog.objects.get(action="entry.delete")
    assert log.before["files"] == [m.pk] and log.before["title"] == "草稿"


def test_only_the_entrant_deletes_and_only_drafts(world):
    e = world.draft(title="草稿")
    with pytest.raises(NotPermitted):
        services.delete_draft(world.other_worker, e)
    with pytest.raises(NotPermitted):
        services.delete_draft(world.ya1_admin, e)
    s = world.submitted()
    with pytest.raises(DomainError) as exc:
        services.delete_draft(world.worker, s)
    assert exc.value.code == "not_deletable"
    services.withdraw(world.worker, s)
    with pytest.raises(DomainError):
        services.delete_draft(world.worker, Entry.objects.get(pk=s.pk))
    assert Entry.objects.filter(pk__in=[e.pk, s.pk]).count() == 2


def test_returned_entry_is_not_deletable(world):
    s = world.submitted()
    services.return_entry(world.yian_admin, s, "请补充")
    with pytest.raises(DomainError):
        services.delete_draft(world.worker, Entry.objects.get(pk=s.pk))


def test_start_states(world):
    from django.contrib.auth.models import AnonymousUser

    tracks = [world.track, world.unit_track]
    assert services.start_states(AnonymousUser(), tracks) == {world.track.pk: "login", world.unit_track.pk: "login"}
    assert services.start_states(world.worker, tracks) == {world.track.pk: "start", world.unit_track.pk: ""}
    assert services.start_states(world.ya1_admin, tracks)[world.unit_track.pk] == "start"
    nobody = f.user()
    assert services.start_states(nobody, tracks)[world.track.pk] == "join"
    u = pending_worker(world)
    assert services.start_states(u, tracks)[world.track.pk] == "start"
    world.campaign.pending_members = PendingMembers.NOTHING
    world.campaign.save()
    world.track.refresh_from_db()
    assert services.start_states(u, [world.track])[world.track.pk] == "wait"
    world.track.is_open = False
    world.track.save()
    assert services.start_states(u, [world.track])[world.track.pk] == ""
