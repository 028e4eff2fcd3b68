"""Loading the demo: once, idempotently, repairing edited definitions, never by accident in production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhengji.accounts.models import RoleAssignment, User
from zhengji.campaigns.models import Announcement, Campaign, LevelRule, Track
from zhengji.common.models import AuditLog, Notification
from zhengji.demo.loader import load_demo
from zhengji.orgs.models import Membership, Organization

pytestmark = pytest.mark.django_db

MODELS = [Organization, User, RoleAssignment, Membership, Campaign, Track, LevelRule, Announcement, AuditLog,
          Notification]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def demo():
    call_command("load_demo", force=True, stdout=StringIO())
    return Campaign.objects.get(slug="good-netizen-2025")


def test_load_demo_is_idempotent():
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert "created" in out.getvalue()
    first = counts()
    snapshot = list(Track.objects.order_by("pk").values())
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert "nothing changed" in out.getvalue()
    assert counts() == first
    assert list(Track.objects.order_by("pk").values()) == snapshot
    assert not load_demo().changed_anything


def test_load_demo_refuses_production_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=StringIO())
    assert not Campaign.objects.exists()


def test_load_demo_repairs_an_edited_definition(demo):
    Track.objects.filter(campaign=demo, slug="songs").update(name="改坏了")
    report = load_demo()
    assert report.updated == {"tracks": 1}
    assert Track.objects.get(campaign=demo, slug="songs").name == "网络正能量歌曲征集"
    assert AuditLog.objects.filter(action="demo.load", object_type="campaigns.track").count() == 11


