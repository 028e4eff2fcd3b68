"""The originality world: the reporting world (Tongling tree, a collecting campaign with two
tracks hosted by 宣城市总工会, admins at every level) plus entries with chosen photo bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

from django.core.files.base import ContentFile
from PIL import Image, PngImagePlugin

from tests import factories as f
from tests.entries.builders import GOOD_DATA, SCHEMA, worker
from tests.reporting.builders import ReportWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries import services
from zhengji.entries.models import Entry, EntryFile, EntryStatus
from zhengji.entries.services import Changes
from zhengji.fingerprints import engines
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing.probe import local_copy
from zhengji.originality import domain

AIGC = {"Label": "1", "ContentProducer": "001191110108MA01KP2T5U00000", "ProduceID": "20250901-0001",
        "ReservedCode1": "", "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}


def png(color=(200, 30, 30), *, size=(24, 24), aigc: dict | None = None, stripe: int = 0) -> bytes:
    img = Image.new("RGB", size, color)
    for x in range(stripe):
        img.putpixel((x, 0), (x * 7 % 255, 0, 0))
    info = None
    if aigc is not None:
        info = PngImagePlugin.PngInfo()
        info.add_text("AIGC", json.dumps(aigc))
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def stored(owner, content: bytes, *, slot="photos", name="photo.png", kind="image", ctype="image/png") -> MediaFile:
    m = MediaFile(owner=owner, filename=name, purpose=slot, status=MediaStatus.READY, kind=kind, content_type=ctype,
                  size=len(content), sha256=hashlib.sha256(content).hexdigest())
    m.original.save(name, ContentFile(content), save=False)
    m.save()
    return m


def fingerprint(entry_or_media) -> None:
    """What the background task does for each READY file, then the look-up its signal triggers."""
    files = ([entry_or_media] if isinstance(entry_or_media, MediaFile)
             else list(MediaFile.objects.filter(entry_link__entry=entry_or_media)))
    for m in files:
        with local_copy(m.original.storage, m.original.name, suffix=".png") as path:
            engines.compute_file(("media", m.pk), path, m.kind)
        domain.on_fingerprinted(("media", m.pk))


class OrigWorld(ReportWorld):
    def __init__(self):
        super().__init__()
        self.campaign_admin = f.user(real_name="活动管理员")
        f.grant(self.campaign_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=self.campaign)
        self.stranger = f.user(real_name="路人")
        self.jq1_worker = worker(self.tree["jq1"], real_name="王五")

    def entry(self, content: bytes, *, user=None, unit="ya1", track=None, title="江城夜色", ai: str | None = "none",
              tools: str = "", data: dict | None = None, submit: bool = True) -> Entry:
        user = user or worker(self.tree[unit])
        e = services.create_draft(user, track or self.track, changes=Changes(
            title=title, summary="简介", data=dict(data or GOOD_DATA)))
        m = stored(user, content)
        e = services.save_draft(user, e, Changes(files={"photos": [m.pk]}))
        if submit:
            e = services.submit(user, e, pledge=True, ai_declaration=ai, ai_tools=tools)
        return e

    def archive_entry(self, content: bytes, *, status=EntryStatus.AWARDED) -> Entry:
        """An entry of last year's campaign, awarded there."""
        today = dt.date.today()
        old = f.campaign(self.tree["province"], year=today.year - 1, slug="last-year", name="去年的征集活动")
        track = f.track(old, self.host, number=4, form_schema=SCHEMA, entrant_types=["individual"], name="摄影作品")
        user = worker(self.tree["ya2"], real_name="去年的作者")
        e = Entry.objects.create(track=track, submitter=user, unit=self.tree["ya2"], title="去年的获奖作品",
                                 number=f"{today.year - 1}-04-000001", status=status,
                                 submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=300))
        EntryFile.objects.create(entry=e, media=stored(user, content), slot="photos", position=0)
        return e


__all__ = ["AIGC", "OrigWorld", "fingerprint", "png", "stored"]
