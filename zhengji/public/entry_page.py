"""What the public sees of one entry: the entry page's projection, shared by the page and the API.

Built from an allow-list, like the blind projection of judging: a form answer reaches the public
only when its field is not marked identifying, is not a file, and does not ask for contact details
(phone, e-mail, ID card, address: by key or label); mobile and ID card numbers typed into any
shown answer or the summary are masked. Files are shown only through their renditions (never the
original, never the uploaded file name), from non-identifying file fields, once processed. Authors
and unit follow the entrant's credit choice (`projection.credit`).
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from pydantic import BaseModel

from zhengji.campaigns.models import WorkKind
from zhengji.campaigns.schema import FieldDef, parse_schema
from zhengji.common.i18n import localized
from zhengji.common.registry import public_awards
from zhengji.entries.files import files_of
from zhengji.entries.models import Entry, EntryFile
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.views_media import rendition_path
from zhengji.originality import marks

from . import counters
from .models import Showcase
from .projection import credit

# Fields that ask how to reach or identify a person, whatever the form calls them.
CONTACT_RE = re.compile(r"phone|mobile|\btel\b|_tel|email|e-mail|id_?card|identity|address|wechat_?id|qq|"
                        r"电话|手机|联系|邮箱|身份证|证件|住址|地址|微信号", re.I)
MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
ID_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
# The renditions the public gets, per kind of file (a video's poster is its web rendition).
RENDITIONS = {"video": ("thumb", "poster", "preview"), "audio": ("preview",), "image": ("thumb", "web")}
FIELD_OF = {"thumb": "thumbnail", "web": "web", "poster": "web", "preview": "preview"}


class PageRef(BaseModel):
    id: int
    name: str
    url: str


class PageTrackRef(PageRef):
    number: int


class Award(BaseModel):
    label: str
    order: int


class MediaItem(BaseModel):
    id: int
    slot: str
    slot_label: str
    kind: str
    position: int
    thumb: str = ""
    web: str = ""
    poster: str = ""
    preview: str = ""
    width: int | None = None
    height: int | None = None
    duration: float | None = None


class Answer(BaseModel):
    key: str
    label: str
    type: str
    text: str  # plain text (rich text without its tags)
    html: str = ""  # rich text answers, sanitised
    url: str = ""  # a web address answer that is a link
    long: bool = False  # a reading-view answer (long or rich text)


class AccountCard(BaseModel):
    platform: str = ""
    platform_key: str = ""
    name: str = ""
    handle: str = ""
    url: str = ""
    followers: float | None = None
    followers_text: str = ""  # grouped by thousands: 125,000
    period: str = ""
    keys: list[str] = []  # the answers shown on the card (the page does not repeat them)


class EntryPage(BaseModel):
    id: int
    number: str | None
    title: str
    summary: str
    url: str
    work_kind: str
    work_kind_label: str
    track: PageTrackRef
    campaign: PageRef
    authors: list[str]
    unit: str | None
    award: Award | None
    views: int
    answers: list[Answer]
    media: list[MediaItem]
    account: AccountCard | None
    documents: int  # documents submitted (never published as files)


def mask_numbers(text: str) -> str:
    """Mobile and ID card numbers masked the way the site masks phones (first 3, last 4)."""
    text = MOBILE_RE.sub(r"\1****\2", text)
    return ID_CARD_RE.sub(r"\1********\2", text)


def fields_of(entry: Entry) -> list[FieldDef]:
    try:
        return parse_schema(entry.track.form_schema)
    except Exception:  # a broken schema shows no answers rather than failing the page
        return []


def is_public_field(f: FieldDef) -> bool:
    if f.identifying:
        return False
    return not (CONTACT_RE.search(f.key) or CONTACT_RE.search(f.label) or CONTACT_RE.search(f.label_en))


def _choice_label(f: FieldDef, value: Any) -> str:
    for c in f.choices:
        if c.value == str(value):
            return localized(c, "label")
    return str(value)


def _answer(f: FieldDef, value: Any) -> Answer | None:
    if value in (None, "", [], {}):
        return None
    label = localized(f, "label")
    if f.type == "choice":
        return Answer(key=f.key, label=label, type=f.type, text=_choice_label(f, value))
    if f.type == "multichoice":
        values = value if isinstance(value, list) else [value]
        return Answer(key=f.key, label=label, type=f.type, text="、".join(_choice_label(f, v) for v in values))
    if f.type == "number":
        try:
            n = float(value)
        except (TypeError, ValueError):
            return None
        return Answer(key=f.key, label=label, type=f.type, text=str(int(n)) if n.is_integer() else str(n))
    text = mask_numbers(str(value))
    if f.type == "richtext":
        html = nh3.clean(text)
        return Answer(key=f.key, label=label, type=f.type, text=strip_tags(html).strip(), html=html, long=True)
    if f.type == "url":
        ok = text.startswith(("https://", "http://"))
        return Answer(key=f.key, label=label, type=f.type, text=text, url=text if ok else "")
    return Answer(key=f.key, label=label, type=f.type, text=text, long=f.type == "longtext")


def answers(entry: Entry, fields: list[FieldDef]) -> list[Answer]:
    data = entry.data or {}
    out = []
    for f in fields:
        if f.type == "file" or not is_public_field(f):
            continue
        a = _answer(f, data.get(f.key))
        if a is not None:
            out.append(a)
    return out


def account_card(fields: list[FieldDef], shown: list[Answer]) -> AccountCard | None:
    """An online account entry's card, from its (public) answers: platform, name, ID, link,
    followers, statistics period. Keys as the campaign forms name them, else the first field of
    the fitting type."""
    types = {f.key: f.type for f in fields}

    def pick(keys: tuple[str, ...], kind: str | None = None) -> Answer | None:
        for a in shown:
            if any(k in a.key for k in keys):
                return a
        if kind:
            return next((a for a in shown if types.get(a.key) == kind), None)
        return None

    platform = pick(("platform",), "choice")
    name = pick(("account_name", "name", "nickname"))
    handle = pick(("account_id", "handle", "_id"))
    link = pick(("url", "link", "homepage"), "url")
    followers = pick(("follower", "fans", "subscriber"), "number")
    period = pick(("period",))
    if not (name or link):
        return None
    value = None
    if followers is not None:
        try:
            value = float(followers.text)
        except ValueError:
            value = None
    raw_platform = ""
    if platform is not None:
        raw_platform = next((c.value for f in fields if f.key == platform.key for c in f.choices
                             if localized(c, "label") == platform.text), "")
    return AccountCard(platform=platform.text if platform else "", platform_key=raw_platform,
                       name=name.text if name else "", handle=handle.text if handle and handle is not name else "",
                       url=link.url if link else "", followers=value,
                       followers_text=f"{value:,.0f}" if value is not None else "",
                       period=period.text if period else "",
                       keys=[a.key for a in (platform, name, handle, link, followers, period) if a is not None])


def media_url(media: MediaFile, name: str) -> str:
    """A rendition as everyone gets it (`media:rendition`, opened to the public by the gate's
    `file_is_public`): versioned by its stored name, served with long-lived caching."""
    return rendition_path(media, name)


def labelled_file(media: MediaFile, name: str, storage: Any, stored: str) -> tuple[str, str, str] | None:
    """The media app's public-file hook (`media.access.register_public_file`): a labelled work's
    rendition carries its AI label (`originality.marks`: the download name, the picture)."""
    link = EntryFile.objects.filter(media_id=media.pk).values_list("entry_id", "entry__number").first()
    if link is None:
        return None
    return marks.public_file(link[0], link[1] or "", media, name, storage, stored)


def public_media(entry: Entry, fields: list[FieldDef]) -> tuple[list[MediaItem], int]:
    """The entry's processed files from non-identifying file fields, in slot and credit order (the
    photo series as the entrant ordered it), and how many documents were left out."""
    slots = {f.key: f for f in fields if f.type == "file" and not f.identifying}
    items: list[MediaItem] = []
    documents = 0
    for m in files_of(entry):
        slot = str(getattr(m, "slot", ""))
        if slot not in slots or m.status != MediaStatus.READY:
            continue
        if m.kind not in RENDITIONS:
            documents += 1
            continue
        urls = {n: media_url(m, n) for n in RENDITIONS[m.kind] if getattr(m, FIELD_OF[n])}
        if m.kind in ("video", "audio") and "preview" not in urls:
            continue
        if m.kind == "image" and "web" not in urls:
            continue
        items.append(MediaItem(id=m.pk, slot=slot, slot_label=localized(slots[slot], "label"), kind=m.kind,
                               position=int(getattr(m, "position", 0) or 0), width=m.width, height=m.height,
                               duration=m.duration, **urls))
    return items, documents


def showcase_of(entry: Entry) -> Showcase | None:
    """The entry's showcase: the one loaded with it (`select_related("showcase")`), else a query."""
    if Entry.showcase.is_cached(entry):
        return getattr(entry, "showcase", None)
    return Showcase.objects.filter(entry_id=entry.pk).only("id", "credit", "views").first()


def build(entry: Entry) -> EntryPage:
    """The page of an entry the gate let through (`entry_for(..., view=View.PUBLIC)`)."""
    fields = fields_of(entry)
    show = showcase_of(entry)
    authors, unit = credit(entry, show.credit if show else None)
    award = public_awards.awards([entry.track_id]).get(entry.pk)
    shown = answers(entry, fields)
    media, documents = public_media(entry, fields)
    track, campaign = entry.track, entry.track.campaign
    return EntryPage(
        id=entry.pk, number=entry.number, title=entry.title, summary=mask_numbers(entry.summary),
        url=reverse("public:entry", args=[entry.pk]), work_kind=track.work_kind,
        work_kind_label=str(track.get_work_kind_display()),
        track=PageTrackRef(id=track.pk, number=track.number, name=localized(track, "name"),
                       url=reverse("public:track", args=[campaign.slug, track.slug])),
        campaign=PageRef(id=campaign.pk, name=localized(campaign, "name"),
                     url=reverse("public:campaign", args=[campaign.slug])),
        authors=authors, unit=unit, award=Award(label=award.label, order=award.order) if award else None,
        views=counters.views_of(entry.pk, show.views if show else 0),
        answers=shown, media=media,
        account=account_card(fields, shown) if track.work_kind == WorkKind.ACCOUNT else None,
        documents=documents)


def share_description(page: EntryPage) -> str:
    text = page.summary or next((a.text for a in page.answers if a.long), "")
    text = " ".join(text.split())
    return text[:110] + ("…" if len(text) > 110 else "")


def cover(page: EntryPage) -> str:
    """The picture that stands for the entry (share cards): the first photo, else a video poster."""
    for m in page.media:
        if m.kind == "image":
            return m.web
        if m.kind == "video" and m.poster:
            return m.poster
    return ""


def photo_alt(title: str, n: int, total: int) -> str:
    return _("%(title)s, photo %(n)s of %(total)s") % {"title": title, "n": n, "total": total}
