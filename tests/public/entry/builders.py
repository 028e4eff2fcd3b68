"""Builders of the entry page tests: a published campaign with tracks of each kind, entries in any
state, identity planted in every place an entry can carry it, and real processed media."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests import factories as f
from zhengji.campaigns.models import WorkKind
from zhengji.entries.file_targets import track_slot_target
from zhengji.entries.models import Entry, EntryAuthor, EntryFile, EntryStatus
from zhengji.media.models import MediaStatus
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.public.models import Showcase

# What the public must never get (an identifying answer, a phone, the uploaded file names).
SECRET_NAME = "欧阳秘藏"
SECRET_PHONE = "13987654321"
SECRET_ID_CARD = "34070219800101123X"
SECRET_FILE = "私密原始文件名"
AUTHOR = "李明亮"

_numbers = itertools.count(1)

SCHEMA = [
    {"key": "real_name", "type": "text", "label": "作者真实姓名", "identifying": True},
    {"key": "contact", "type": "text", "label": "联系电话"},  # not marked, but asks for a phone
    {"key": "caption", "type": "longtext", "label": "创作说明", "label_en": "Statement"},
    {"key": "body", "type": "richtext", "label": "正文", "label_en": "Text"},
    {"key": "place", "type": "text", "label": "拍摄地点"},
    {"key": "genre", "type": "choice", "label": "类别", "choices": [{"value": "doc", "label": "纪实"}]},
    {"key": "clip", "type": "file", "label": "作品视频", "file": {"kinds": ["video"]}},
    {"key": "sound", "type": "file", "label": "作品音频", "file": {"kinds": ["audio"]}},
    {"key": "photos", "type": "file", "label": "组照", "file": {"kinds": ["image"], "max_count": 6}},
    {"key": "docs", "type": "file", "label": "文稿", "file": {"kinds": ["document"]}},
    {"key": "id_photo", "type": "file", "label": "身份证照片", "identifying": True, "file": {"kinds": ["image"]}},
]

ACCOUNT_SCHEMA = [
    {"key": "platform", "type": "choice", "label": "所在平台", "label_en": "Platform",
     "choices": [{"value": "douyin", "label": "抖音", "label_en": "Douyin"}]},
    {"key": "account_name", "type": "text", "label": "账号名称"},
    {"key": "account_id", "type": "text", "label": "账号 ID"},
    {"key": "url", "type": "url", "label": "主页链接"},
    {"key": "followers", "type": "number", "label": "粉丝数"},
    {"key": "stats_period", "type": "text", "label": "数据统计周期"},
    {"key": "operator_phone", "type": "text", "label": "运营者手机", "identifying": True},
]


class World:
    def __init__(self) -> None:
        self.tree = f.tongling_tree()
        self.campaign = f.campaign(self.tree["province"], published=True)
        self.track = f.track(self.campaign, self.tree["city"], number=1, work_kind=WorkKind.VIDEO,
                             form_schema=SCHEMA, entrant_types=["individual", "unit"])
        self.account_track = f.track(self.campaign, self.tree["city"], number=2, work_kind=WorkKind.ACCOUNT,
                                     form_schema=ACCOUNT_SCHEMA)
        self.submitter = f.user(phone=SECRET_PHONE, real_name=SECRET_NAME)

    def entry(self, status: str = EntryStatus.PUBLISHED, *, approved: bool | None = None, track=None,
              data: dict | None = None, title: str = "匠心筑梦", credit: str | None = None, **kw) -> Entry:
        track = track or self.track
        n = next(_numbers)
        e = Entry.objects.create(
            track=track, submitter=self.submitter, unit=self.tree["ya1"], title=title, status=status,
            number=f"T{track.number}-{n:04d}", contact_phone=SECRET_PHONE,
            summary=kw.pop("summary", "一线职工的坚守与创新。"),
            data=data if data is not None else {
                "real_name": SECRET_NAME, "contact": SECRET_PHONE, "caption": "凌晨四点的车间。\n第二段。",
                "body": "<p>正文<strong>加粗</strong><script>alert(1)</script></p>",
                "place": f"铜陵，电话 {SECRET_PHONE}，身份证 {SECRET_ID_CARD}", "genre": "doc"},
            **kw)
        EntryAuthor.objects.create(entry=e, name=AUTHOR, unit_name="某公司", position=0)
        if approved is not None or credit is not None:
            Showcase.objects.create(entry=e, track=track, approved=bool(approved), **({"credit": credit} if credit
                                                                                       else {}))
        return e

    def attach(self, entry: Entry, path: Path, slot: str, capture) -> None:
        """Ingest and process a real file (renditions made) and attach it, named after the author."""
        with capture(execute=True):
            m = create_media_from_file(path, owner=entry.submitter, target=track_slot_target(entry.track, slot),
                                       filename=f"{SECRET_FILE}-{SECRET_NAME}{path.suffix}")
        m.refresh_from_db()
        assert m.status == MediaStatus.READY, (path, m.error)
        EntryFile.objects.create(entry=entry, media=m, slot=slot,
                                 position=EntryFile.objects.filter(entry=entry, slot=slot).count())
        return m
