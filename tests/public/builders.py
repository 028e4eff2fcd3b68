"""Extra builders for the public-site tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests import factories as f
from zhengji.campaigns.models import Announcement, WorkKind

VIDEO_SCHEMA = [
    {"key": "title", "type": "text", "label": "作品名称", "label_en": "Title", "required": True, "max_length": 60},
    {"key": "video", "type": "file", "label": "作品视频", "label_en": "Video", "required": True,
     "file": {"kinds": ["video"], "extensions": ["mp4"], "max_size_mb": 2048, "max_duration_s": 600,
              "min_width": 1280, "min_height": 720, "max_count": 1}},
    {"key": "intro", "type": "longtext", "label": "创作说明", "label_en": "Statement", "max_words": 300},
]


def campaign_with_tracks(n: int, *, published: bool = True, **kw):
    tree = f.tongling_tree()
    c = f.campaign(tree["province"], published=published, **kw)
    for i in range(1, n + 1):
        f.track(c, tree["city"], number=i, rules=f"<p>规则{i}：<strong>原创</strong></p>",
                rules_en=f"<p>Rules {i}: <strong>original</strong></p>",
                work_kind=WorkKind.VIDEO if i == 2 else WorkKind.IMAGE,
                form_schema=VIDEO_SCHEMA if i == 2 else [], entrant_types=["individual", "unit"])
    return tree, c


def announcement(c, title: str, *, days_ago: float | None = 1, pinned: bool = False, **kw) -> Announcement:
    publish_at = None if days_ago is None else timezone.now() - dt.timedelta(days=days_ago)
    return Announcement.objects.create(campaign=c, title=title, title_en=kw.pop("title_en", ""), body=kw.pop(
        "body", "正文"), publish_at=publish_at, pinned=pinned, **kw)
