"""The results notice (通报) of a campaign: its content built from the data, and the document as
.docx and PDF, laid out after GB/T 9704-2012 (the layout of official documents).

What the notice lists is decided by the results, never typed: per track (in the campaign's order)
and per award tier (best first), the awarded entries — a `ResultLine` with a tier whose entry
stands AWARDED (or later, PUBLISHED) — with title, number, authors and unit; then the outstanding
organising units and individuals staff chose (`Notice.honours`); the date.

- `content(notice)`: the data, in a fixed number of queries whatever the number of entries;
- `render_docx(notice)`: docxtpl, from the notice's own Word template if staff replaced it, else
  from a default template generated here with python-docx (no binary in the repository);
  a replaced template runs in Jinja's sandbox (staff upload it; it must not reach Python);
- `render_pdf(notice)`: WeasyPrint from `review/notice/pdf/notice.html` with the Noto CJK fonts
  (embedded as subsets) and `review/notice/pdf/notice.css` (a file, not a <style> block).

The document is always Chinese (an official document), whatever the reader's language.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from zhengji.entries.models import EntryAuthor, EntryStatus

from .models import Notice, ResultLine

AWARDED_STATES = (EntryStatus.AWARDED, EntryStatus.PUBLISHED)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOTICE_LANGUAGE = "zh-hans"
CSS_PATH = Path(__file__).resolve().parent / "templates" / "review" / "notice" / "pdf" / "notice.css"

# Fonts (Debian fonts-noto-cjk): Serif stands for 小标宋/仿宋, Sans for 黑体.
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
RED = "E60012"

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings count in Chinese numerals)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def chinese_date(day: Any) -> str:
    """2026-12-04 → 2026年12月4日 (GB/T 9704-2012: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class AwardLine:
    index: int
    entry_id: int
    number: str
    title: str
    authors: str
    unit: str
    rank: int | None

    @property
    def text(self) -> str:
        """"1．2026-04-000001　《title》　authors　unit" (number and authors when there are)."""
        head = f"{self.index}．{self.number}　《{self.title}》" if self.number else f"{self.index}．《{self.title}》"
        return "　".join([head, *([self.authors] if self.authors else []), self.unit])


@dataclass
class TierBlock:
    name: str
    position: int
    lines: list[AwardLine] = field(default_factory=list)

    def heading(self, index: int) -> str:
        return _("(%(n)s) %(tier)s (%(count)d works)") % {"n": chinese_number(index), "tier": self.name,
                                                           "count": len(self.lines)}


@dataclass
class TrackBlock:
    track_id: int
    name: str
    number: int
    tiers: list[TierBlock] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(t.lines) for t in self.tiers)


@dataclass(frozen=True)
class Honour:
    index: int
    kind: str
    name: str
    unit: str

    @property
    def text(self) -> str:
        if self.kind == "person" and self.unit:
            return f"{self.index}．{self.name}（{self.unit}）"
        return f"{self.index}．{self.name}"


@dataclass
class NoticeContent:
    campaign: str
    issuer: str
    number: str
    title: str
    recipients: str
    body: list[str]
    tracks: list[TrackBlock]
    units: list[Honour]
    people: list[Honour]
    date: str

    @property
    def awarded(self) -> int:
        return sum(t.count for t in self.tracks)

    def sections(self) -> list[dict[str, Any]]:
        """The numbered parts after the body: 一、获奖作品 (one part per track), then the
        outstanding units, then the outstanding individuals (parts without lines are left out)."""
        with translation.override(NOTICE_LANGUAGE):
            out: list[dict[str, Any]] = []
            for t in self.tracks:
                tiers = [{"heading": tier.heading(i), "name": tier.name, "count": len(tier.lines),
                          "lines": [_line_dict(x) for x in tier.lines]}
                         for i, tier in enumerate(t.tiers, start=1)]
                title = _("Awarded works of %(track)s") % {"track": t.name}
                out.append({"kind": "track", "track_id": t.track_id, "name": t.name, "title": title, "tiers": tiers,
                            "lines": []})
            if self.units:
                out.append({"kind": "units", "name": "", "title": _("Outstanding organising units"), "tiers": [],
                            "lines": [{"text": h.text, "name": h.name, "unit": h.unit} for h in self.units]})
            if self.people:
                out.append({"kind": "people", "name": "", "title": _("Outstanding individuals"), "tiers": [],
                            "lines": [{"text": h.text, "name": h.name, "unit": h.unit} for h in self.people]})
            for i, s in enumerate(out, start=1):
                s["heading"] = f"{chinese_number(i)}、{s['title']}"
            return out

    def context(self) -> dict[str, Any]:
        """What a Word template sees (plain dicts and strings: the sandbox gives nothing else)."""
        return {
            "campaign": self.campaign, "issuer": self.issuer, "number": self.number, "title": self.title,
            "recipients": self.recipients, "body": list(self.body), "date": self.date,
            "sections": self.sections(),
            "tracks": [{"name": t.name, "count": t.count,
                        "tiers": [{"name": x.name, "count": len(x.lines), "lines": [_line_dict(a) for a in x.lines]}
                                  for x in t.tiers]} for t in self.tracks],
            "units": [{"index": h.index, "name": h.name, "text": h.text} for h in self.units],
            "people": [{"index": h.index, "name": h.name, "unit": h.unit, "text": h.text} for h in self.people],
        }


def _line_dict(a: AwardLine) -> dict[str, Any]:
    return {"index": a.index, "entry_id": a.entry_id, "number": a.number, "title": a.title, "authors": a.authors,
            "unit": a.unit, "text": a.text}


def awarded_lines(campaign_id: int) -> list[TrackBlock]:
    """The campaign's awarded entries per track (campaign order) and tier (best first), each tier
    in rank order: two queries."""
    rows = list(ResultLine.objects.filter(track__campaign_id=campaign_id, tier__isnull=False,
                                          entry__status__in=AWARDED_STATES)
                .select_related("track", "tier", "entry__unit")
                .order_by("track__number", "track_id", "tier__position", "rank", "entry__number", "entry_id"))
    authors: dict[int, list[str]] = {}
    for eid, name in (EntryAuthor.objects.filter(entry_id__in=[r.entry_id for r in rows])
                      .order_by("entry_id", "position", "id").values_list("entry_id", "name")):
        authors.setdefault(eid, []).append(name)
    tracks: list[TrackBlock] = []
    for r in rows:
        if r.tier is None:  # excluded by the query; for the type checker
            continue
        if not tracks or tracks[-1].track_id != r.track_id:
            tracks.append(TrackBlock(r.track_id, r.track.name, r.track.number))
        t = tracks[-1]
        if not t.tiers or t.tiers[-1].position != r.tier.position:
            t.tiers.append(TierBlock(r.tier.name, r.tier.position))
        tier = t.tiers[-1]
        e = r.entry
        tier.lines.append(AwardLine(index=len(tier.lines) + 1, entry_id=e.pk, number=e.number or "", title=e.title,
                                    authors="、".join(authors.get(e.pk, [])), unit=e.unit.name, rank=r.rank))
    return tracks


def honours_of(notice: Notice) -> tuple[list[Honour], list[Honour]]:
    units: list[Honour] = []
    people: list[Honour] = []
    for h in notice.honours or []:
        if not isinstance(h, dict) or not h.get("name"):
            continue
        if h.get("kind") == "person":
            people.append(Honour(len(people) + 1, "person", str(h["name"]), str(h.get("unit", ""))))
        else:
            units.append(Honour(len(units) + 1, "unit", str(h["name"]), str(h.get("unit", ""))))
    return units, people


def body_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n") if p.strip()]


def content(notice: Notice) -> NoticeContent:
    units, people = honours_of(notice)
    return NoticeContent(
        campaign=notice.campaign.name, issuer=notice.issuer, number=notice.number, title=notice.title,
        recipients=notice.recipients, body=body_paragraphs(notice.body), tracks=awarded_lines(notice.campaign_id),
        units=units, people=people, date=chinese_date(notice.issued_on))


# --- the Word document ------------------------------------------------------------------------------

class TemplateProblem(Exception):
    """A Word template that cannot be used, with a message for staff."""


def _env() -> Any:
    from jinja2 import StrictUndefined  # noqa: PLC0415 (jinja2 only when a document is made)
    from jinja2.sandbox import SandboxedEnvironment  # noqa: PLC0415 (as above)

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def render_template_bytes(template: bytes, context: dict[str, Any]) -> bytes:
    """Fill a Word template (docxtpl tags) with `context` in Jinja's sandbox. Raises
    TemplateProblem with a message staff can act on."""
    import zipfile  # noqa: PLC0415 (only when a document is made)

    from docxtpl import DocxTemplate  # noqa: PLC0415 (docxtpl loads lxml and python-docx: only when needed)
    from jinja2 import TemplateError  # noqa: PLC0415 (as above)

    try:
        doc = DocxTemplate(io.BytesIO(template))
        doc.render(context, jinja_env=_env(), autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except TemplateError as exc:
        raise TemplateProblem(_("The template has an error: %(error)s") % {"error": exc}) from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TemplateProblem(_("This file is not a Word document (.docx).")) from exc
    return out.getvalue()


def render_docx(notice: Notice) -> bytes:
    """The notice as .docx from its template (or the default one)."""
    with translation.override(NOTICE_LANGUAGE):
        context = content(notice).context()
        if notice.template:
            with notice.template.open("rb") as fh:
                template = fh.read()
        else:
            template = default_template()
        return render_template_bytes(template, context)


@functools.cache
def default_template() -> bytes:
    """The default Word template, made with python-docx after GB/T 9704-2012: A4; margins 37 mm
    top, 35 mm bottom, 28 mm left, 26 mm right; the issuing body in red, large, centred; the
    document number; a red line; the title 2号 (22 pt) 小标宋-like; the body 3号 (16 pt)
    仿宋-like at about 28 pt per line; the issuer and the date at the right."""
    from docx import Document  # noqa: PLC0415 (python-docx only when a document is made)
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING  # noqa: PLC0415 (as above)
    from docx.oxml import OxmlElement  # noqa: PLC0415 (as above)
    from docx.oxml.ns import qn  # noqa: PLC0415 (as above)
    from docx.shared import Mm, Pt, RGBColor  # noqa: PLC0415 (as above)

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = SERIF
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), SERIF)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)
    pf.space_before = pf.space_after = Pt(0)

    def para(text: str = "", *, align: Any = None, size: float = 16, font: str = SERIF, bold: bool = False,
             color: str = "", indent: bool = False, line: float | None = None) -> Any:
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if line is not None:
            p.paragraph_format.line_spacing = Pt(line)
        if text:
            run = p.add_run(text)
            run.font.size = Pt(size)
            run.font.name = font
            run.font.bold = bold
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
            if color:
                run.font.color.rgb = RGBColor.from_string(color)
        return p

    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    # 版头: the issuing body, red, large, centred; two blank lines; the number; the red line.
    para("{{ issuer }}", align=centre, size=36, bold=True, color=RED, line=56)
    para()
    para()
    number = para("{{ number }}", align=centre)
    p_pr = number._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"), ("w:color", RED)):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p_pr.append(borders)
    para()
    # 主体: the title; the addressees; the body; the numbered parts.
    para("{{ title }}", align=centre, size=22, bold=True, line=36)
    para()
    para("{% if recipients %}{{ recipients }}：{% endif %}")
    para("{%p for para in body %}")
    para("{{ para }}", indent=True)
    para("{%p endfor %}")
    para("{%p for s in sections %}")
    para("{{ s.heading }}", font=SANS, indent=True)
    para("{%p for tier in s.tiers %}")
    para("{{ tier.heading }}", bold=True, indent=True)
    para("{%p for line in tier.lines %}")
    para("{{ line.text }}", indent=True)
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{%p for line in s.lines %}")
    para("{{ line.text }}", indent=True)
    para("{%p endfor %}")
    para("{%p endfor %}")
    para()
    # The issuer and the date at the right (右空四字).
    para("{{ issuer }}", align=right).paragraph_format.right_indent = Pt(64)
    para("{{ date }}", align=right).paragraph_format.right_indent = Pt(64)
    out = io.BytesIO()
    doc.core_properties.author = ""
    doc.core_properties.title = ""
    doc.save(out)
    return out.getvalue()


# --- the PDF ----------------------------------------------------------------------------------------

def pdf_from_html(html: str) -> bytes:
    """WeasyPrint with the Noto CJK fonts (subsets embedded) and the notice stylesheet."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 (loading pango costs ~1 s: only when a PDF is made)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 (as above)

    fonts = FontConfiguration()
    css = CSS(filename=str(CSS_PATH), font_config=fonts)
    data: bytes = HTML(string=html, base_url=settings.SITE_URL).write_pdf(stylesheets=[css], font_config=fonts)
    return data


def render_html(notice: Notice) -> str:
    with translation.override(NOTICE_LANGUAGE):
        c = content(notice)
        return render_to_string("review/notice/pdf/notice.html", {"c": c, "sections": c.sections()})


def render_pdf(notice: Notice) -> bytes:
    """The notice as PDF, with the same layout as the Word document."""
    return pdf_from_html(render_html(notice))


__all__ = ["AwardLine", "NoticeContent", "TemplateProblem", "awarded_lines", "chinese_date", "chinese_number",
           "content", "default_template", "render_docx", "render_pdf", "render_template_bytes"]
