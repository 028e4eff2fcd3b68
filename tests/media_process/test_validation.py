"""Validation by content: each limit of a slot refused once with its message; good files of every
kind accepted with their facts and SHA-256 stored; ingest from a completed upload."""

from __future__ import annotations

import hashlib
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.media.models import MediaFile, UploadStatus
from zhengji.media.processing import probe
from zhengji.media.processing.validation import MediaInvalid, format_duration
from zhengji.media.uploads.ingest import create_media_from_upload

pytestmark = pytest.mark.django_db


def refused(ingest, path, slot, **kw) -> str:
    with pytest.raises(MediaInvalid) as exc:
        ingest(path, slot, process=False, **kw)
    assert not MediaFile.objects.exists()
    return str(exc.value)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- each limit, violated once --------------------------------------------------------------

def test_png_renamed_jpg_refused_where_only_jpeg_allowed(ingest, media_dir):
    msg = refused(ingest, media_dir / "png-named.jpg", "jpeg_only")
    assert msg == "文件内容不是 JPEG 图片（识别为 PNG 图片）"


def test_png_renamed_jpg_accepted_where_png_allowed_too(ingest, media_dir):
    media = ingest(media_dir / "png-named.jpg", "photo", process=False)
    assert media.content_type == "image/png" and media.probe["type"] == "png"


def test_text_renamed_mp4_refused(ingest, media_dir):
    msg = refused(ingest, media_dir / "fake.mp4", "video")
    assert msg == "文件内容不是 MP4 视频、MOV 视频、WEBM 视频（识别为 纯文本）"


def test_wrong_extension_refused(ingest, media_dir):
    msg = refused(ingest, media_dir / "tone.mp3", "video")
    assert msg == "此处不接受 .mp3 类型的文件；允许：mov, mp4, webm"


def test_video_too_long(ingest, media_dir):
    assert refused(ingest, media_dir / "long.mp4", "video") == "视频时长 2分10秒 超过上限 2分钟"


def test_audio_too_short(ingest, media_dir):
    assert refused(ingest, media_dir / "tone.mp3", "long_audio") == "音频时长 2秒 短于最低要求 3秒"


def test_file_too_large(ingest, media_dir):
    msg = refused(ingest, media_dir / "noise.png", "small_file")
    assert msg.startswith("文件大小 1.") and msg.endswith("MB 超过上限 1 MB")


def test_video_resolution_too_small(ingest, media_dir):
    assert refused(ingest, media_dir / "small.mp4", "video") == "视频分辨率 160×120 低于要求的 320×240"


def test_image_resolution_too_small(ingest, media_dir):
    assert refused(ingest, media_dir / "tiny.jpg", "photo") == "图片分辨率 100×80 低于要求的 200×150"


def test_too_few_megapixels(ingest, media_dir):
    assert refused(ingest, media_dir / "photo.png", "big_photo") == "图片只有 12 万像素，低于要求的 50 万像素"


def test_decompression_bomb_refused_with_message(ingest, media_dir, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 200_000  # the 640×480 photo has 307 200
    assert refused(ingest, media_dir / "photo.jpg", "photo") == "图片有 31 万像素，超过上限 20 万像素"


def test_messages_in_english(ingest, media_dir):
    with translation.override("en"):
        msg = refused(ingest, media_dir / "long.mp4", "video")
    assert msg == "The video lasts 2 min 10 s, over the limit of 2 minutes."


def test_truncated_header_refused(ingest, media_dir, tmp_path):
    broken = tmp_path / "broken.mp4"
    data = (media_dir / "clip.mp4").read_bytes()
    broken.write_bytes(data[:200])  # ftyp intact (right magic bytes), the rest gone
    with translation.override("en"):  # its moov box claims more bytes than there are
        assert refused(ingest, broken, "video").startswith("The MP4 video is incomplete: the file ends after")


def test_unknown_slot(ingest, media_dir):
    with pytest.raises(DomainError):
        ingest(media_dir / "photo.jpg", "nope", process=False)


@pytest.mark.parametrize("seconds,zh", [(45, "45秒"), (723, "12分03秒"), (3720, "1小时02分00秒")])
def test_format_duration(seconds, zh):
    assert format_duration(seconds) == zh


# --- good files -----------------------------------------------------------------------------

@pytest.mark.parametrize("name,slot,kind,mime", [
    ("photo.jpg", "photo", "image", "image/jpeg"),
    ("photo.png", "photo", "image", "image/png"),
    ("photo.heic", "photo", "image", "image/heic"),
    ("clip.mp4", "video", "video", "video/mp4"),
    ("clip.mov", "video", "video", "video/quicktime"),
    ("clip.webm", "video", "video", "video/webm"),
    ("tone.mp3", "audio", "audio", "audio/mpeg"),
    ("tone.wav", "audio", "audio", "audio/x-wav"),
    ("tone.m4a", "audio", "audio", "audio/mp4"),
    ("recitation.mp3", "audio", "audio", "audio/mpeg"),
    ("doc.pdf", "doc", "document", "application/pdf"),
    ("doc.docx", "doc", "document",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_good_files_accepted(ingest, media_dir, world, name, slot, kind, mime):
    path = media_dir / name
    media = ingest(path, slot, process=False)
    assert (media.kind, media.content_type, media.purpose) == (kind, mime, slot)
    assert media.owner == world["owner"]
    assert media.size == path.stat().st_size
    assert media.sha256 == sha(path)
    with media.original.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == media.sha256
    assert media.original.name.startswith(f"originals/{world['owner'].pk}/")
    assert name not in media.original.name  # the user's file name is not in the key
    assert media.filename == name
    if kind in ("video", "audio"):
        assert media.duration and media.duration > 0.5
    if kind in ("image", "video"):
        assert media.width and media.height
    assert AuditLog.objects.filter(action="media.created", object_id=str(media.pk)).exists()


def test_image_dimensions_follow_exif_orientation(ingest, media_dir):
    media = ingest(media_dir / "rotated.jpg", "photo", process=False)
    assert (media.width, media.height) == (480, 640)


def test_pdf_page_count(ingest, media_dir):
    assert ingest(media_dir / "doc.pdf", "doc", process=False).probe["pages"] == 2


def test_from_file_object(ingest, media_dir):
    with open(media_dir / "photo.jpg", "rb") as fh:
        media = ingest(fh, "photo", filename="我的照片.jpg", process=False)
    assert media.filename == "我的照片.jpg" and media.sha256 == sha(media_dir / "photo.jpg")


# --- from a completed upload ----------------------------------------------------------------

def test_upload_becomes_media(world, target, make_upload, media_dir, django_capture_on_commit_callbacks):
    up = make_upload(media_dir / "clip.mp4", filename="我的作品.mp4")
    staged = up.storage_key
    with django_capture_on_commit_callbacks(execute=True):
        media = create_media_from_upload(up, target=target("video"))
    up.refresh_from_db()
    media.refresh_from_db()
    assert up.status == UploadStatus.ATTACHED
    assert not default_storage.exists(staged)  # the staging copy is gone after commit
    assert default_storage.exists(media.original.name)
    assert media.sha256 == sha(media_dir / "clip.mp4") and media.filename == "我的作品.mp4"
    assert media.status == "ready"  # processed by the task queued on commit


def test_refused_upload_stays(world, target, make_upload, media_dir):
    up = make_upload(media_dir / "fake.mp4")
    with pytest.raises(MediaInvalid) as exc:
        create_media_from_upload(up, target=target("video"))
    assert "识别为 纯文本" in str(exc.value)
    up.refresh_from_db()
    assert up.status == UploadStatus.COMPLETE and default_storage.exists(up.storage_key)
    assert not MediaFile.objects.exists()


def test_upload_used_twice_or_incomplete(world, target, make_upload, media_dir):
    up = make_upload(media_dir / "photo.jpg")
    create_media_from_upload(up, target=target("photo"))
    with pytest.raises(DomainError):
        create_media_from_upload(up, target=target("photo"))
    receiving = make_upload(media_dir / "photo.jpg", status=UploadStatus.RECEIVING)
    with pytest.raises(DomainError):
        create_media_from_upload(receiving, target=target("photo"))
    assert MediaFile.objects.count() == 1


def test_upload_of_someone_else(world, target, make_upload, media_dir):
    up = make_upload(media_dir / "photo.jpg")
    with pytest.raises(NotPermitted):
        create_media_from_upload(up, target=target("photo"), actor=world["other"])


def test_zip_named_docx_refused(ingest, tmp_path):
    fake = tmp_path / "report.docx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("readme.txt", "not a word document")
    assert refused(ingest, fake, "doc") == "文件内容不是 PDF 文档、DOCX 文档（识别为 ZIP 文件）"


def test_empty_file_refused(ingest, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert refused(ingest, empty, "photo") == "文件是空的。"


def test_too_large_upload_refused_before_reading(world, target, make_upload, media_dir, monkeypatch):
    def no_reading(*a, **kw):
        raise AssertionError("the bytes must not be read")

    monkeypatch.setattr(probe, "local_copy", no_reading)
    up = make_upload(media_dir / "noise.png")
    with pytest.raises(MediaInvalid, match="超过上限 1 MB"):
        create_media_from_upload(up, target=target("small_file"))


def test_upload_whose_bytes_are_gone(world, target, make_upload, media_dir):
    up = make_upload(media_dir / "photo.jpg")
    default_storage.delete(up.storage_key)
    with pytest.raises(DomainError) as exc:
        create_media_from_upload(up, target=target("photo"))
    assert exc.value.code == "upload_missing"
