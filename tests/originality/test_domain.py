"""Originality's domain: matches in scope become flags (campaign, archive, reference set), the AI
declaration and labels, the track's AI rule, the explicit label, and audited decisions."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest
from django.utils.translation import gettext as _
from PIL import Image

from tests import factories as f
from tests.originality.builders import AIGC, OrigWorld, fingerprint, png, stored
from zhengji.common.audit import AuditLog
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.entries import services
from zhengji.entries.models import Entry, EntryStatus
from zhengji.fingerprints import engines
from zhengji.fingerprints.engines import Match
from zhengji.fingerprints.tasks import fingerprint_file
from zhengji.originality import aigc, domain, labels
from zhengji.originality.models import Flag, FlagKind, FlagScope, FlagStatus, MediaAILabel

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return OrigWorld()


def similar(entry: Entry) -> list[Flag]:
    return list(Flag.objects.filter(entry=entry, kind=FlagKind.SIMILAR))


# --- similarity in scope ---------------------------------------------------------------------------

def test_a_resubmitted_identical_photo_in_another_unit_is_flagged_with_the_matched_entry(w):
    first = w.entry(png((10, 120, 200)), unit="ya1", title="江城夜色")
    again = w.entry(png((10, 120, 200)), unit="jq1", track=w.other_track, title="夜色江城")
    unrelated = w.entry(png((250, 250, 0)), unit="ya2", title="田园")
    for e in (first, again, unrelated):
        fingerprint(e)
    [flag] = similar(again)
    assert flag.matched_entry_id == first.pk and flag.scope == FlagScope.CAMPAIGN and flag.score == 1.0
    assert flag.medium == "exact" and flag.status == FlagStatus.OPEN
    assert flag.detail["pairs"][0]["same_submitter"] is False
    # Both copies show it; the unrelated work shows nothing.
    assert [x.matched_entry_id for x in similar(first)] == [again.pk]
    assert similar(unrelated) == []
    # Re-runs (the signal again, a resubmission's scan) never duplicate.
    fingerprint(again)
    domain.scan_entry(again)
    assert Flag.objects.filter(kind=FlagKind.SIMILAR).count() == 2


def test_the_fingerprinted_signal_runs_the_look_up(w, django_capture_on_commit_callbacks):
    first = w.entry(png((1, 2, 3)))
    again = w.entry(png((1, 2, 3)), unit="jq1")
    fingerprint(first)
    media = again.file_links.get().media
    with django_capture_on_commit_callbacks(execute=True):
        assert "exact" in fingerprint_file(media)
    assert [x.matched_entry_id for x in similar(again)] == [first.pk]
    assert MediaAILabel.objects.filter(media=media, found=False).exists()


def test_drafts_and_withdrawn_entries_are_not_matched(w):
    first = w.entry(png((4, 5, 6)))
    draft = w.entry(png((4, 5, 6)), unit="jq1", submit=False)
    fingerprint(first)
    fingerprint(draft)
    assert Flag.objects.count() == 0
    gone = w.entry(png((4, 5, 6)), unit="ya2")
    services.withdraw(gone.submitter, gone)
    fingerprint(gone)
    assert Flag.objects.count() == 0


def test_the_same_submitters_second_copy_is_flagged_and_said(w):
    first = w.entry(png((7, 8, 9)), user=w.worker)
    second = w.entry(png((7, 8, 9)), user=w.worker, track=w.other_track)
    fingerprint(first)
    fingerprint(second)
    [flag] = similar(second)
    assert flag.matched_entry_id == first.pk and flag.detail["pairs"][0]["same_submitter"] is True


def test_an_earlier_campaigns_awarded_work_is_flagged_previously_awarded(w):
    old = w.archive_entry(png((90, 90, 90)))
    fingerprint(old)
    new = w.entry(png((90, 90, 90)), unit="jq1")
    fingerprint(new)
    [flag] = similar(new)
    assert flag.scope == FlagScope.ARCHIVE and flag.previously_awarded and flag.matched_entry_id == old.pk
    assert similar(old) == []  # last year's winner is not flagged by this year's copy
    # A work that won nothing last year may be entered again.
    Entry.objects.filter(pk=old.pk).update(status=EntryStatus.NOT_AWARDED)
    Flag.objects.all().delete()
    fingerprint(new)
    assert similar(new) == []


def test_a_reference_file_matches_the_campaigns_entries(w):
    entry = w.entry(png((33, 66, 99)), unit="jq1")
    fingerprint(entry)
    ref = domain.add_reference(w.campaign_admin, w.campaign, title="《巢湖晨曦》（某报2023年刊发）",
                               source_url="https://example.org/a", media=stored(w.campaign_admin, png((33, 66, 99))))
    [flag] = similar(entry)
    assert flag.scope == FlagScope.REFERENCE and flag.reference_id == ref.pk and flag.matched_entry is None
    assert AuditLog.objects.filter(action="originality.reference_add").count() == 1
    with pytest.raises(NotPermitted):
        domain.add_reference(w.ya1_admin, w.campaign, title="x", text="y")
    with pytest.raises(DomainError):
        domain.add_reference(w.campaign_admin, w.campaign, title="", text="y")
    domain.remove_reference(w.campaign_admin, ref)
    assert not Flag.objects.filter(reference=ref.pk).exists()


class _TextStandIn:
    """Only when the text engine has not arrived yet: normalised exact text, same interface."""

    medium = "text"

    def __init__(self):
        self.rows: dict[tuple[str, int], str] = {}

    def applies(self, kind):
        return False

    def compute_file(self, subject, path, kind):
        return None

    def compute_text(self, subject, text):
        self.rows[subject] = hashlib.sha256("".join(text.split()).encode()).hexdigest()

    def matches(self, subject, limit=20):
        mine = self.rows.get(subject)
        return [Match(subject, s, "text", 1.0, {"jaccard": 1.0}) for s, h in self.rows.items()
                if h == mine and s != subject][:limit]

    def forget(self, subject):
        self.rows.pop(subject, None)


@pytest.fixture
def text_engine():
    if engines.engine("text") is not None:
        yield engines.engine("text")
        return
    engines.register(_TextStandIn())
    yield engines.engine("text")
    engines._engines.pop("text", None)


def test_a_reference_text_matches_an_entrys_typed_text(w, text_engine):
    article = ("清晨的巢湖笼罩在薄雾之中，渔船缓缓驶出港湾，船工们迎着朝阳撒下第一网。"
               "这是他们在湖上度过的第三十个春天，也是最后一个捕捞季。")
    entry = w.entry(png((5, 5, 5)), unit="jq1")
    Entry.objects.filter(pk=entry.pk).update(summary=article)
    domain.scan_entry(entry)
    entry.refresh_from_db()
    # The published article is the entry's text (summary and story) with other spacing.
    published = domain.entry_text(entry).replace("\n\n", " ")
    ref = domain.add_reference(w.campaign_admin, w.campaign, title="《最后的捕捞季》", text=published)
    [flag] = similar(entry)
    assert flag.reference_id == ref.pk and flag.medium == "text"
    assert flag.detail["pairs"][0]["subject"] == f"entrytext:{entry.pk}"


# --- AI-generated content ---------------------------------------------------------------------------

def test_aigc_is_read_from_png_text_exif_and_mp4_tags(tmp_path):
    p = tmp_path / "a.png"
    p.write_bytes(png(aigc=AIGC))
    got = aigc.read_label(p, "image")
    assert got.generated and got.source == "png-text" and got.aigc["ContentProducer"] == AIGC["ContentProducer"]
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"ASCII\0\0\0" + json.dumps({"AIGC": AIGC}).encode()
    Image.new("RGB", (16, 16)).save(tmp_path / "b.jpg", exif=exif)
    got = aigc.read_label(tmp_path / "b.jpg", "image")
    assert got.generated and got.source == "exif" and got.aigc["ProduceID"] == AIGC["ProduceID"]
    mp4 = tmp_path / "c.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x64:d=1", "-movflags",
                    "+use_metadata_tags", "-metadata", "AIGC=" + json.dumps(AIGC), str(mp4)], check=True)
    got = aigc.read_label(mp4, "video")
    assert got.generated and got.source == "mp4"
    plain = tmp_path / "d.png"
    plain.write_bytes(png())
    assert not aigc.read_label(plain, "image").found


def test_a_c2pa_manifest_is_detected_with_its_claim_generator(tmp_path):
    gen = b"Example AI Studio/2.1"
    blob = (b"\x89PNG....jumb....jumdc2pa....claim_generator" + bytes([0x60 + len(gen)]) + gen
            + b"...http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
    p = tmp_path / "e.png"
    p.write_bytes(blob)
    got = aigc.read_label(p, "image")
    assert got.c2pa and got.c2pa_generator == "Example AI Studio/2.1" and got.generated


def test_a_label_contradicting_the_declaration_is_flagged(w):
    liar = w.entry(png(aigc=AIGC), unit="jq1", ai="none")
    honest = w.entry(png((1, 1, 1), aigc=AIGC), unit="ya2", ai="wholly", tools="某大模型")
    domain.check_ai(liar)
    domain.check_ai(honest)
    [flag] = Flag.objects.filter(entry=liar)
    assert flag.kind == FlagKind.AI_CONTRADICTION and flag.detail["labels"][0]["source"] == "png-text"
    assert list(Flag.objects.filter(entry=honest).values_list("kind", flat=True)) == [FlagKind.AI_LABEL]
    domain.check_ai(liar)
    assert Flag.objects.filter(entry=liar).count() == 1


def test_a_track_that_forbids_generated_works_flags_a_declared_one_never_rejects(w):
    domain.set_track_policy(w.host_staff, w.track, False)
    e = w.entry(png((3, 3, 3)), ai="partly", tools="文心一格")
    domain.scan_entry(e)
    assert list(Flag.objects.filter(entry=e).values_list("kind", flat=True)) == [FlagKind.AI_FORBIDDEN]
    e.refresh_from_db()
    assert e.status == EntryStatus.SUBMITTED
    assert AuditLog.objects.filter(action="originality.track_policy").exists()
    with pytest.raises(NotPermitted):
        domain.set_track_policy(w.ya1_admin, w.track, True)
    # The default allows them.
    other = w.entry(png((4, 3, 3)), track=w.other_track, ai="wholly", tools="x")
    domain.scan_entry(other)
    assert not Flag.objects.filter(entry=other).exists()


def test_the_declaration_is_required_when_asked_and_tools_when_generated(w):
    e = w.entry(png((9, 9, 1)), submit=False)
    with pytest.raises(DomainError) as exc:
        services.submit(e.submitter, e, pledge=True, ai_declaration="")
    assert exc.value.code == "ai_declaration_required"
    with pytest.raises(DomainError) as exc:
        services.submit(e.submitter, e, pledge=True, ai_declaration="partly")
    assert exc.value.code == "ai_tools_required"
    e = services.submit(e.submitter, e, pledge=True, ai_declaration="partly", ai_tools="某绘图模型")
    assert (e.ai_declaration, e.ai_tools) == ("partly", "某绘图模型")


def test_published_declared_or_labelled_works_carry_the_explicit_label(w, django_assert_num_queries):
    wholly = w.entry(png((1, 9, 9)), ai="wholly", tools="某模型")
    labelled = w.entry(png((2, 9, 9), aigc=AIGC), unit="jq1", ai="none")
    plain = w.entry(png((3, 9, 9)), unit="ya2")
    for e in (labelled, plain):
        domain.check_ai(e)
    Entry.objects.filter(pk__in=[wholly.pk, labelled.pk, plain.pk]).update(status=EntryStatus.PUBLISHED)
    with django_assert_num_queries(1):
        got = labels.ai_labels([wholly.pk, labelled.pk, plain.pk])
    assert got == {wholly.pk: _("AI-generated"), labelled.pk: _("Contains AI-generated content")}
    assert labels.ai_labels([]) == {}


# --- decisions ------------------------------------------------------------------------------------

def _pair(w):
    first = w.entry(png((120, 0, 0)), unit="ya1")
    again = w.entry(png((120, 0, 0)), unit="jq1", user=w.jq1_worker)
    fingerprint(first)
    fingerprint(again)
    return first, again, Flag.objects.get(entry=again, kind=FlagKind.SIMILAR)


def test_the_unit_admin_where_it_waits_disqualifies_through_the_workflow_audited(w):
    first, again, flag = _pair(w)
    with pytest.raises(NotPermitted):
        domain.decide(w.ya1_admin, flag, FlagStatus.DISQUALIFIED, "抄袭")  # another unit's entry
    with pytest.raises(NotPermitted):
        domain.decide(w.stranger, flag, FlagStatus.DISQUALIFIED, "抄袭")
    with pytest.raises(DomainError) as exc:
        domain.decide(w.jq1_admin, flag, FlagStatus.DISQUALIFIED, "  ")
    assert exc.value.code == "reason_required"
    result = domain.decide(w.jq1_admin, flag, FlagStatus.DISQUALIFIED, "与已报送作品完全相同")
    assert result.step == "reject" and not result.handed_over
    flag.refresh_from_db()
    again.refresh_from_db()
    assert flag.status == FlagStatus.DISQUALIFIED and flag.decided_by == w.jq1_admin
    assert again.status == EntryStatus.REJECTED
    record = AuditLog.objects.get(action="originality.decide")
    assert record.reason == "与已报送作品完全相同" and record.after["step"] == "reject"
    assert AuditLog.objects.filter(action="entry.reject", object_id=str(again.pk)).exists()
    with pytest.raises(DomainError) as exc:
        domain.decide(w.jq1_admin, flag, FlagStatus.CLEARED, "再议")
    assert exc.value.code == "already_decided"


def test_clearing_keeps_the_entry_and_host_staff_disqualify_in_vetting(w):
    first, again, flag = _pair(w)
    back = Flag.objects.get(entry=first, kind=FlagKind.SIMILAR)
    domain.decide(w.ya1_admin, back, FlagStatus.CLEARED, "本作品为原作")
    first.refresh_from_db()
    assert first.status == EntryStatus.SUBMITTED
    Entry.objects.filter(pk=again.pk).update(status=EntryStatus.REPORTED)
    result = domain.decide(w.host_staff, flag, FlagStatus.DISQUALIFIED, "与他人作品相同")
    again.refresh_from_db()
    assert result.step == "vet_disqualify" and again.status == EntryStatus.DISQUALIFIED


def test_a_recommended_entry_is_recorded_and_handed_over(w):
    first, again, flag = _pair(w)
    Entry.objects.filter(pk=again.pk).update(status=EntryStatus.RECOMMENDED)
    result = domain.decide(w.jq1_admin, flag, FlagStatus.DISQUALIFIED, "相同")
    again.refresh_from_db()
    assert result.handed_over and again.status == EntryStatus.RECOMMENDED


def test_a_campaign_admin_may_decide_any_flag_of_the_campaign(w):
    f.user()
    _first, again, flag = _pair(w)
    assert w.campaign_admin.has_perm("originality.decide_flag", again)
    assert not w.stranger.has_perm("originality.view_flags", again)
    assert not again.submitter.has_perm("originality.view_flags", again)


def test_a_submission_runs_the_look_up_when_fingerprinting_is_on(w, settings, django_capture_on_commit_callbacks):
    settings.FINGERPRINT_ON_READY = True
    first = w.entry(png((61, 62, 63)))
    fingerprint(first)
    draft = w.entry(png((61, 62, 63)), unit="jq1", user=w.jq1_worker, submit=False)
    fingerprint(draft)  # fingerprinted while a draft: no flag yet
    assert not Flag.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(w.jq1_worker, draft, pledge=True, ai_declaration="none")
    assert [x.matched_entry_id for x in similar(draft)] == [first.pk]
