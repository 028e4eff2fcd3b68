import pytest

from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.entries.models import EntryStatus
from zhengji.public.domain import showcase as domain
from zhengji.public.models import Credit, Showcase

pytestmark = pytest.mark.django_db


def test_host_staff_approve_in_bulk_with_city_and_audit(w, django_capture_on_commit_callbacks):
    a = w.entry("匠心筑梦")
    b = w.entry("合肥工匠", unit=w.hf1)
    with django_capture_on_commit_callbacks(execute=True):
        assert domain.approve(w.host, w.track, [a.pk, b.pk]) == 2
    rows = {r.entry_id: r for r in Showcase.objects.all()}
    assert rows[a.pk].approved and rows[a.pk].listed and rows[a.pk].listed_at is not None
    assert rows[a.pk].city_id == w.tongling.pk and rows[b.pk].city_id == w.hefei.pk
    assert rows[a.pk].approved_by_id == w.host.pk
    logs = AuditLog.objects.filter(action="showcase.approve")
    assert logs.count() == 2
    # Approving again changes nothing and writes nothing.
    assert domain.approve(w.host, w.track, [a.pk]) == 0
    assert AuditLog.objects.filter(action="showcase.approve").count() == 2


def test_campaign_admin_and_superuser_may_approve(w):
    e = w.entry("作品")
    assert domain.approve(w.admin, w.track, [e.pk]) == 1


@pytest.mark.parametrize("who", ["unit_admin", "judge", "worker", "host2", "other"])
def test_others_may_not_approve(w, who):
    e = w.entry("作品")
    with pytest.raises(NotPermitted):
        domain.approve(getattr(w, who), w.track, [e.pk])
    assert not Showcase.objects.filter(approved=True).exists()


def test_anonymous_may_not_approve(w):
    from django.contrib.auth.models import AnonymousUser  # noqa: PLC0415 (only here)

    e = w.entry("作品")
    with pytest.raises(NotPermitted):
        domain.approve(AnonymousUser(), w.track, [e.pk])


def test_withdraw_needs_a_reason_and_leaves_the_gallery(w):
    e = w.entry("作品")
    domain.approve(w.host, w.track, [e.pk])
    with pytest.raises(DomainError) as exc:
        domain.withdraw(w.host, w.track, [e.pk], "  ")
    assert exc.value.code == "reason_required"
    assert "原因" in str(exc.value.message) or exc.value.message
    assert domain.withdraw(w.host, w.track, [e.pk], "内容需核实") == 1
    row = Showcase.objects.get(entry=e)
    assert not row.approved and not row.listed and row.reason == "内容需核实"
    log = AuditLog.objects.get(action="showcase.withdraw")
    assert log.reason == "内容需核实"


def test_only_showable_entries_of_the_track(w):
    draft = w.entry("草稿", status=EntryStatus.SUBMITTED)
    gone = w.entry("取消资格", status=EntryStatus.DISQUALIFIED)
    elsewhere = w.entry("别的子项目", track=w.track2)
    for e in (draft, gone, elsewhere):
        with pytest.raises(DomainError) as exc:
            domain.approve(w.host, w.track, [e.pk])
        assert exc.value.code == "not_showable"
    with pytest.raises(DomainError):
        domain.approve(w.host, w.track, [])


def test_entry_leaving_the_running_leaves_the_gallery(w):
    e = w.entry("作品")
    domain.approve(w.host, w.track, [e.pk])
    e.status = EntryStatus.DISQUALIFIED
    e.save()
    domain.sync_entries([e.pk])
    assert not Showcase.objects.get(entry=e).listed


def test_published_entry_is_listed_without_approval(w):
    e = w.entry("已公布", status=EntryStatus.PUBLISHED)
    domain.sync_entries([e.pk])
    row = Showcase.objects.get(entry=e)
    assert row.listed and not row.approved and row.city_id == w.tongling.pk


def test_credit_is_the_entrants_choice(w):
    e = w.entry("作品")
    row = domain.choose_credit(w.worker, e, Credit.UNIT)
    assert row.credit == Credit.UNIT
    log = AuditLog.objects.get(action="showcase.credit")
    assert log.audience == "entrant"
    for who in (w.host, w.admin, w.other):
        with pytest.raises(NotPermitted):
            domain.choose_credit(who, e, Credit.AUTHORS)
    with pytest.raises(DomainError) as exc:
        domain.choose_credit(w.worker, e, "nobody")
    assert exc.value.code == "invalid_credit"
