"""Builders for the entries tests (on top of tests.factories)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tests import factories as f
from zhengji.entries import services
from zhengji.entries.models import EntryFile
from zhengji.entries.services import Changes
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.orgs.models import Membership, MembershipStatus

SCHEMA = [
    {"key": "creator_note", "type": "text", "label": "创作说明", "label_en": "Note", "required": True,
     "max_length": 20},
    {"key": "story", "type": "longtext", "label": "作品故事", "min_words": 3, "max_words": 10},
    {"key": "intro", "type": "richtext", "label": "简介", "max_words": 50},
    {"key": "minutes", "type": "number", "label": "时长", "min_value": 1, "max_value": 10},
    {"key": "genre", "type": "choice", "label": "类别",
     "choices": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]},
    {"key": "tags", "type": "multichoice", "label": "标签",
     "choices": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]},
    {"key": "made_on", "type": "date", "label": "完成日期"},
    {"key": "link", "type": "url", "label": "链接"},
    {"key": "photos", "type": "file", "label": "照片", "required": True,
     "file": {"kinds": ["image"], "extensions": ["png"], "min_count": 1, "max_count": 2}},
]

GOOD_DATA = {"creator_note": "原创", "story": "一个好故事", "minutes": "5", "genre": "a", "tags": ["y", "x"],
             "made_on": "2025-06-01", "link": "https://example.org/a"}


def campaign_now(owner, **kw):
    """A published campaign collecting today (the real today, so live-server tests need no clock)."""
    today = timezone.localdate()
    d = dt.timedelta
    fields = dict(year=today.year, launch_date=today - d(days=30), collect_start=today - d(days=10),
                  collect_end=today + d(days=20), review_start=today + d(days=30), review_end=today + d(days=60),
                  publicity_start=today + d(days=61), publicity_end=today + d(days=70),
                  conclude_date=today + d(days=80))
    fields.update(kw)
    return f.campaign(owner, **fields)


def worker(org, **kw):
    u = f.user(real_name=kw.pop("real_name", "张三"), **kw)
    Membership.objects.create(user=u, org=org, status=MembershipStatus.CONFIRMED, confirmed_at=timezone.now())
    return u


def png_bytes(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


def media(owner, *, slot="", status=MediaStatus.READY, name="photo.png", entry=None) -> MediaFile:
    """A stored image uploaded for `slot` (its purpose); with `entry`, attached at the slot's end."""
    content = png_bytes()
    m = MediaFile(owner=owner, filename=name, purpose=slot, status=status, kind="image", content_type="image/png",
                  size=len(content), sha256=hashlib.sha256(content).hexdigest())
    m.original.save(name, ContentFile(content), save=False)
    m.save()
    if entry is not None:
        EntryFile.objects.create(entry=entry, media=m, slot=slot,
                                 position=EntryFile.objects.filter(entry=entry, slot=slot).count())
    return m


class World:
    """The Tongling tree, a collecting campaign with a track, workers and admins."""

    def __init__(self):
        self.tree = f.tongling_tree()
        self.campaign = campaign_now(self.tree["province"])
        self.track = f.track(self.campaign, self.tree["city"], number=4, form_schema=SCHEMA,
                             entrant_types=["individual", "team"])
        self.unit_track = f.track(self.campaign, self.tree["city"], number=7, form_schema=[],
                                  entrant_types=["unit"], slug="accounts")
        self.worker = worker(self.tree["ya1"], email="worker@example.org")
        self.other_worker = worker(self.tree["ya2"], real_name="李四")
        self.yian_admin = f.unit_admin(self.tree["yian"])
        self.jiao_admin = f.unit_admin(self.tree["jiao"])
        self.ya1_admin = f.unit_admin(self.tree["ya1"])

    def draft(self, user=None, track=None, **changes):
        return services.create_draft(user or self.worker, track or self.track, changes=Changes(**changes))

    def complete_draft(self, user=None, **extra):
        user = user or self.worker
        e = self.draft(user, title="我的作品", summary="简介", data=dict(GOOD_DATA), **extra)
        m = media(user, slot="photos")
        return services.save_draft(user, e, Changes(files={"photos": [m.pk]}))

    def submitted(self, user=None):
        e = self.complete_draft(user)
        return services.submit(user or self.worker, e, pledge=True)


__all__ = ["World", "media", "worker", "campaign_now", "SCHEMA", "GOOD_DATA"]
