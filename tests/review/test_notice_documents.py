"""The results notice built from the data: the .docx (python-docx reads it back) and the PDF (pypdf
extracts its text) name the issuer, the number, the title, each awarded entry under its track and
tier with authors and unit, the honours and the date — and nothing that was not awarded. A replaced
Word template is used; a bad one is refused with a message."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from pypdf import PdfReader

from tests.review.builders_notice import NoticeWorld
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries.models import EntryStatus
from zhengji.review import notice as nd
from zhengji.review.domain import notice as dom
from zhengji.review.models import AwardTier, Notice

pytestmark = pytest.mark.django_db

NUMBER = "皖工办〔2026〕12号"
HONOURS = [{"kind": "unit", "name": "铜陵市总工会"}, {"kind": "person", "name": "李优秀", "unit": "义安区总工会"}]


def flat(text: str) -> str:
    """Text without whitespace (PDF lines wrap anywhere)."""
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    paras = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        paras += [cell.text for row in table.rows for cell in row.cells]
    return paras


def pdf_text(data: bytes) -> str:
    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def world():
    w = NoticeWorld()
    w.photo = w.awarded(w.track, counts=(1, 2), losers=2)
    w.tiers(w.other_track, spec=(("特等奖", 1), ("优秀奖", 5)))
    w.reading = w.awarded(w.other_track, counts=(1, 1), losers=1)
    w.notice = dom.create_notice(w.campaign_admin, w.campaign, number=NUMBER, title="关于表彰获奖作品的通报",
                                 recipients="各市总工会", body="第一段。\n\n第二段。", honours=HONOURS,
                                 issued_on=dt.date(2026, 12, 4))
    return w


def expected_order(w) -> list[str]:
    """Track headings, tier names and titles in the order the notice must list them."""
    out = []
    for track, tiers in ((w.track, w.photo), (w.other_track, w.reading)):
        out.append(track.name)
        for tier in AwardTier.objects.filter(track=track).order_by("position"):
            if tier.name in tiers:
                out.append(tier.name)
                out += [e.title for e in tiers[tier.name]]
    return out


def assert_in_order(text: str, needles: list[str]) -> None:
    pos = 0
    for n in needles:
        found = text.find(n, pos)
        assert found >= 0, f"{n!r} missing after position {pos}"
        pos = found + len(n)


def test_content_lists_awarded_entries_per_track_and_tier(world, django_assert_max_num_queries):
    w = world
    with django_assert_max_num_queries(3):
        c = nd.content(Notice.objects.select_related("campaign").get(pk=w.notice.pk))
    assert [t.name for t in c.tracks] == [w.track.name, w.other_track.name]  # campaign order (number 4, 5)
    assert [x.name for x in c.tracks[0].tiers] == ["一等奖", "二等奖"]
    assert [a.title for a in c.tracks[0].tiers[1].lines] == [e.title for e in w.photo["二等奖"]]
    first = c.tracks[0].tiers[0].lines[0]
    e = w.photo["一等奖"][0]
    assert (first.number, first.unit) == (e.number, e.unit.name)
    assert first.authors == f"作者甲{e.pk}、作者乙{e.pk}"
    assert c.awarded == 5
    assert c.date == "2026年12月4日"
    assert [h.name for h in c.units] == ["铜陵市总工会"] and [h.name for h in c.people] == ["李优秀"]


def test_the_docx_says_it_all(world):
    w = world
    paras = docx_text(nd.render_docx(w.notice))
    text = "\n".join(paras)
    assert paras[0] == w.notice.issuer == w.campaign.org.name
    assert NUMBER in paras and "关于表彰获奖作品的通报" in paras and "各市总工会：" in paras
    assert "第一段。" in paras and "第二段。" in paras
    assert_in_order(text, [NUMBER, "关于表彰获奖作品的通报", "第一段。", *expected_order(w), "铜陵市总工会",
                           "李优秀（义安区总工会）", "2026年12月4日"])
    for e in w.photo["一等奖"]:
        line = next(p for p in paras if e.title in p)
        assert f"作者甲{e.pk}、作者乙{e.pk}" in line and e.unit.name in line and e.number in line
        assert line == f"1．{e.number}　《{e.title}》　作者甲{e.pk}、作者乙{e.pk}　{e.unit.name}"
    for loser in w.photo["_losers"] + w.reading["_losers"]:
        assert loser.title not in text
    assert paras[-1] == "2026年12月4日"
    # No template tag is left over.
    assert "{{" not in text and "{%" not in text


def test_the_docx_layout_follows_gbt_9704(world):
    doc = Document(io.BytesIO(nd.render_docx(world.notice)))
    sec = doc.sections[0]
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28
    assert round(sec.bottom_margin.mm) == 35 and round(sec.right_margin.mm) == 26
    issuer = doc.paragraphs[0]
    run = issuer.runs[0]
    assert str(run.font.color.rgb) == nd.RED and run.font.bold and run.font.size.pt >= 26
    assert issuer.alignment == 1  # centred
    number = next(p for p in doc.paragraphs if p.text == NUMBER)
    assert 'w:color="E60012"' in number._p.xml and "w:bottom" in number._p.xml  # the red line
    title = next(p for p in doc.paragraphs if p.text == "关于表彰获奖作品的通报")
    assert title.runs[0].font.size.pt == 22 and title.alignment == 1
    assert doc.paragraphs[-1].alignment == 2  # the date at the right
    assert nd.SERIF in doc.styles["Normal"].element.xml


def test_the_pdf_says_it_all_with_cjk_fonts_embedded(world):
    w = world
    data = nd.render_pdf(w.notice)
    text = pdf_text(data)
    assert_in_order(text, [flat(w.notice.issuer), flat(NUMBER), "关于表彰获奖作品的通报", "各市总工会：", "第一段。",
                           *[flat(x) for x in expected_order(w)], "铜陵市总工会", "李优秀（义安区总工会）",
                           "2026年12月4日"])
    e = w.reading["特等奖"][0]
    assert flat(f"《{e.title}》　作者甲{e.pk}、作者乙{e.pk}　{e.unit.name}") in text
    for loser in w.photo["_losers"]:
        assert loser.title not in text
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            font = f.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font \
                else font["/FontDescriptor"]
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
            fonts.add(str(font["/BaseFont"]))
    assert any("Noto-Serif-CJK-SC" in f for f in fonts) and any("Noto-Sans-CJK-SC" in f for f in fonts)
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4


def test_entries_not_yet_awarded_and_other_campaigns_stay_out(world):
    w = world
    e = w.photo["二等奖"][0]
    e.status = EntryStatus.SCORED  # reopened
    e.save(update_fields=["status"])
    w.awarded(w.other_campaign_track(), counts=(1,), losers=0, prefix="别的活动")  # another campaign's winner
    text = "\n".join(docx_text(nd.render_docx(w.notice)))
    assert e.title not in text and "别的活动" not in text
    assert w.photo["二等奖"][1].title in text


def make_template(body_lines: list[str]) -> bytes:
    doc = Document()
    for line in body_lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "t.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=nd.DOCX_TYPE)


def test_a_replaced_template_is_used(world):
    w = world
    tpl = make_template(["自定义模板 {{ number }}", "{%p for s in sections %}", "【{{ s.heading }}】",
                         "{%p for tier in s.tiers %}", "{%p for line in tier.lines %}",
                         "{{ tier.name }}：{{ line.title }}（{{ line.authors }}）", "{%p endfor %}", "{%p endfor %}",
                         "{%p endfor %}", "落款 {{ issuer }} {{ date }}"])
    n = dom.replace_template(w.campaign_admin, w.notice, upload(tpl))
    assert n.template
    paras = docx_text(nd.render_docx(n))
    assert paras[0] == f"自定义模板 {NUMBER}"
    e = w.photo["二等奖"][1]
    assert f"二等奖：{e.title}（作者甲{e.pk}、作者乙{e.pk}）" in paras
    assert paras[-1] == f"落款 {w.notice.issuer} 2026年12月4日"
    # Back to the default.
    n = dom.replace_template(w.campaign_admin, n, None)
    assert not n.template and docx_text(nd.render_docx(n))[0] == w.notice.issuer


@pytest.mark.parametrize(("data", "words"), [
    (b"not a zip at all", "Word"),
    (None, "Word"),  # a zip without word/document.xml
    ("{{ number ", "模板有错误"),  # Jinja syntax error
    ("{{ no_such_field }}", "no_such_field"),  # unknown field
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "模板有错误"),  # the sandbox
    ("{%p for x in body %}", "模板有错误"),  # a loop never closed
])
def test_a_bad_template_is_refused_with_a_message(world, data, words):
    w = world
    if data is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("hello.txt", "hi")
        data = buf.getvalue()
    elif isinstance(data, str):
        data = make_template(["开头", data])
    with pytest.raises(DomainError) as exc:
        dom.replace_template(w.campaign_admin, w.notice, upload(data))
    assert words in str(exc.value.message) or words.lower() in str(exc.value.message).lower()
    assert exc.value.field == "template"
    w.notice.refresh_from_db()
    assert not w.notice.template


def test_titles_with_markup_characters_are_escaped(world):
    w = world
    e = w.photo["一等奖"][0]
    e.title = "A&B <x> “引号”"
    e.save(update_fields=["title"])
    paras = docx_text(nd.render_docx(w.notice))
    assert any("《A&B <x> “引号”》" in p for p in paras)


def test_only_campaign_admins_and_superusers_edit_the_notice(world):
    w = world
    for who in (w.host_staff, w.moderator, w.worker, w.ya1_admin, w.judge("ya2").user):
        with pytest.raises(NotPermitted):
            dom.update_notice(who, w.notice, title="x")
        with pytest.raises(NotPermitted):
            dom.create_notice(who, w.campaign)
        with pytest.raises(NotPermitted):
            dom.publish_notice(who, w.notice)
        with pytest.raises(NotPermitted):
            dom.replace_template(who, w.notice, None)
    assert dom.update_notice(w.superuser, w.notice, title="新标题").title == "新标题"


def test_update_validates_and_audits(world):
    from zhengji.common.models import AuditLog

    w = world
    with pytest.raises(DomainError):
        dom.update_notice(w.campaign_admin, w.notice, honours=[{"kind": "robot", "name": "x"}])
    with pytest.raises(DomainError):
        dom.update_notice(w.campaign_admin, w.notice, number="号" * 61)
    with pytest.raises(DomainError):
        dom.update_notice(w.campaign_admin, w.notice, issuer="  ")
    n = dom.update_notice(w.campaign_admin, w.notice, honours=HONOURS + HONOURS[:1], recipients="各县区总工会")
    assert n.honours == [{"kind": "unit", "name": "铜陵市总工会", "unit": ""}, {**HONOURS[1]}]
    log = AuditLog.objects.filter(action="review.notice_save", object_id=str(n.pk)).order_by("-id").first()
    assert log.before["recipients"] == "各市总工会" and log.after["recipients"] == "各县区总工会"
    assert log.campaign_id == w.campaign.pk


def test_publish_stores_both_files_and_freezes_the_notice(world):
    from zhengji.common.models import AuditLog

    w = world
    n = dom.publish_notice(w.campaign_admin, w.notice)
    assert n.published_at is not None and n.docx and n.pdf
    with n.docx.open("rb") as fh:
        assert NUMBER in docx_text(fh.read())
    with n.pdf.open("rb") as fh:
        assert flat(NUMBER) in pdf_text(fh.read())
    assert AuditLog.objects.filter(action="review.notice_publish", object_id=str(n.pk)).exists()
    with pytest.raises(DomainError) as exc:
        dom.update_notice(w.campaign_admin, n, title="改")
    assert exc.value.code == "notice_published"
    with pytest.raises(DomainError) as exc:
        dom.publish_notice(w.campaign_admin, n)
    assert exc.value.code == "already_published"


def test_publish_needs_a_number_and_awards():
    w = NoticeWorld()
    n = dom.create_notice(w.campaign_admin, w.campaign)
    with pytest.raises(DomainError) as exc:
        dom.publish_notice(w.campaign_admin, n)
    assert exc.value.field == "number"
    n = dom.update_notice(w.campaign_admin, n, number=NUMBER)
    with pytest.raises(DomainError) as exc:
        dom.publish_notice(w.campaign_admin, n)
    assert exc.value.code == "nothing_awarded"


def test_chinese_numbers_and_dates():
    assert [nd.chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)] == ["一", "九", "十", "十一", "二十", "二十一",
                                                                           "九十九"]
    assert nd.chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
