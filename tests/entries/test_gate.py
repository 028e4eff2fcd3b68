"""The visibility gate per view and the projections per audience: host staff see their track's
entries once reported, the public only published entries of published campaigns, judges their
track's entries under review; a later app may replace a view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from tests import factories as f
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries import projections, queries
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.queries import View, entries_for, entry_for
from zhengji.entries.templatetags.entries_tags import join_if_list

pytestmark = pytest.mark.django_db


def _set(e, status):
    Entry.objects.filter(pk=e.pk).update(status=status)
    e.refresh_from_db()
    return e


def test_host_view_is_the_tracks_reported_entries(world):
    e = world.submitted()
    host = f.user()
    f.grant(host, CampaignRole.HOST_STAFF, track=world.track)
    other_host = f.user()
    f.grant(other_host, CampaignRole.HOST_STAFF, track=world.unit_track)
    assert not entries_for(host, View.HOST).exists()  # not reported yet
    _set(e, EntryStatus.REPORTED)
    assert list(entries_for(host, View.HOST)) == [e]
    assert not entries_for(other_host, View.HOST).exists()
    assert not entries_for(world.worker, View.HOST).exists()
    superuser = f.user(is_superuser=True)
    assert list(entries_for(superuser, View.HOST)) == [e]
    view = projections.host(entry_for(host, e.pk, view=View.HOST), host)
    assert view.number == e.number and "****" in view.contact_phone


def test_public_view_is_published_entries_of_published_campaigns(world, client):
    e = world.submitted()
    anonymous = client.get("/").wsgi_request.user
    assert not entries_for(anonymous, View.PUBLIC).exists()
    _set(e, EntryStatus.PUBLISHED)
    assert list(entries_for(anonymous, View.PUBLIC)) == [e]
    shown = projections.public(e)
    assert shown.title == e.title and shown.authors == ["张三"] and shown.unit is None
    world.campaign.is_published = False
    world.campaign.save()
    assert not entries_for(anonymous, View.PUBLIC).exists()
    with pytest.raises(Http404):
        entry_for(anonymous, e.pk, view=View.PUBLIC)


def test_unit_view_for_superusers_and_nobody_else_outside_the_subtree(world, client):
    e = world.submitted()
    d = world.draft(title="草稿")
    superuser = f.user(is_superuser=True)
    assert set(entries_for(superuser, View.UNIT)) == {e}  # submitted ones only, drafts stay private
    assert set(entries_for(world.jiao_admin, View.UNIT)) == set()
    assert set(entries_for(world.worker, View.UNIT)) == set()
    assert set(entries_for(world.worker, View.MINE)) == {e, d}
    anonymous = client.get("/").wsgi_request.user
    assert not entries_for(anonymous, View.MINE).exists() and not entries_for(anonymous, View.UNIT).exists()
    assert not entries_for(anonymous, View.JUDGE).exists() and not entries_for(anonymous, View.HOST).exists()
    assert projections.decisions(e, superuser) == []


def test_unknown_view_is_an_error_and_a_later_app_can_replace_a_view(world):
    with pytest.raises(ValueError):
        entries_for(world.worker, "everything")
    e = world.submitted()
    judge = f.user()
    original = queries._filters[View.JUDGE]
    try:
        queries.register_view(View.JUDGE, lambda user: Q(pk=e.pk))  # e.g. review: by assignment
        assert list(entries_for(judge, View.JUDGE)) == [e]
    finally:
        queries.register_view(View.JUDGE, original)
    assert not entries_for(judge, View.JUDGE).exists()


def test_a_permission_the_reader_lacks_on_an_entry_they_see_is_403(world):
    e = world.submitted()
    with pytest.raises(PermissionDenied):
        entry_for(world.yian_admin, e.pk, "entries.withdraw_entry")
    assert entry_for(world.worker, e.pk, "entries.withdraw_entry") == e


def test_multichoice_answers_are_joined_for_display():
    assert join_if_list(["甲", "乙"]) == "甲、乙" and join_if_list("甲") == "甲"
