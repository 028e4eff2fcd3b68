"""EXIF/GPS/XMP/ID3 personal data is removed from everything another person receives (issue 12,
point 5): renditions (thumbnail, web size, poster, video and audio previews) are new files made
without the original's metadata. Originals keep it and go only to their owner, superusers and
registered original readers (docs/media.md)."""

from __future__ import annotations

import io
import json
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from zhengji.media import samples
from zhengji.media.models import MediaStatus

pytestmark = pytest.mark.django_db

# What the samples carry: camera, author, place (GPS in Tongling), free text.
PERSONAL = [b"ZhengjiCam", b"Sample Author", b"Zhang San", b"13800138000", b"Tongling", b"30.9", b"117.8"]
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Zhang San 13800138000"/>'
       b"</rdf:RDF></x:xmpmeta>")


def assert_clean_image(path: Path) -> None:
    data = Path(path).read_bytes()
    for secret in PERSONAL:
        assert secret not in data, (path, secret)
    assert b"Exif\x00\x00" not in data and b"xmpmeta" not in data and b"ICC_PROFILE" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif() and not im.info.get("exif") and not im.info.get("xmp")
        assert not im.info.get("icc_profile") and not im.info.get("comment")


def tags(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, check=True, timeout=60).stdout
    return json.loads(out)


def test_jpeg_exif_gps_xmp_comment_and_icc_are_not_in_the_renditions(ingest, tmp_path):
    path = tmp_path / "with-everything.jpg"
    exif = samples.exif_with_gps()
    exif[0x010E] = "Zhang San 13800138000, Tongling"  # ImageDescription
    samples._picture(1200, 900).save(path, "JPEG", exif=exif.tobytes(), xmp=XMP, comment=b"Zhang San",
                                     icc_profile=b"ICC_PROFILE" + b"\x00" * 200)
    original = path.read_bytes()
    assert all(s in original for s in (b"ZhengjiCam", b"Zhang San", b"xmpmeta"))
    media = ingest(path, "photo")
    assert media.status == MediaStatus.READY, media.error
    assert_clean_image(media.web.path)
    assert_clean_image(media.thumbnail.path)
    assert Path(media.original.path).read_bytes() == original  # the original is the owner's, untouched


def test_png_text_chunks_and_exif_are_not_in_the_renditions(ingest, tmp_path):
    path = tmp_path / "p.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San")
    info.add_itxt("Description", "Tongling 13800138000", zip=True)
    samples._picture(800, 600).save(path, "PNG", pnginfo=info, exif=samples.exif_with_gps().tobytes())
    media = ingest(path, "image")
    assert media.status == MediaStatus.READY, media.error
    assert_clean_image(media.web.path)
    assert_clean_image(media.thumbnail.path)


def test_heic_exif_is_not_in_the_renditions(ingest, tmp_path):
    media = ingest(samples.make_heic(tmp_path / "p.heic", 400, 300, exif=True), "image")
    assert media.status == MediaStatus.READY, media.error
    assert_clean_image(media.web.path)


def test_video_tags_and_place_are_not_in_the_preview_or_poster(ingest, tmp_path):
    src = samples.make_video(tmp_path / "raw.mp4", 1, 320, 240)
    path = tmp_path / "tagged.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c", "copy",
                    "-metadata", "title=Zhang San at home", "-metadata", "artist=Zhang San 13800138000",
                    "-metadata", "location=+30.9+117.8/", "-metadata", "comment=Tongling",
                    "-movflags", "+use_metadata_tags", str(path)], check=True, timeout=60)
    assert b"Zhang San" in path.read_bytes()
    media = ingest(path, "video")
    assert media.status == MediaStatus.READY, media.error
    preview = Path(media.preview.path)
    data = preview.read_bytes()
    for secret in PERSONAL:
        assert secret not in data, secret
    info = tags(preview)
    kept = set(info["format"].get("tags") or {})
    assert kept <= {"major_brand", "minor_version", "compatible_brands", "encoder"}, kept
    assert_clean_image(media.web.path)  # the poster
    assert_clean_image(media.thumbnail.path)


def id3_tag(frames: dict[str, bytes]) -> bytes:
    """An ID3v2.3 tag with text frames (and an APIC cover picture when "APIC" is given)."""
    body = b""
    for name, value in frames.items():
        payload = value if name == "APIC" else b"\x00" + value
        body += name.encode() + struct.pack(">I", len(payload)) + b"\x00\x00" + payload
    size = len(body)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x03\x00\x00" + syncsafe + body


def test_mp3_id3_tags_and_cover_are_not_in_the_preview(ingest, tmp_path):
    tone = samples.make_audio(tmp_path / "tone.mp3", 2)
    cover = io.BytesIO()
    samples._picture(64, 64).save(cover, "JPEG", exif=samples.exif_with_gps().tobytes())
    apic = b"\x00image/jpeg\x00\x03cover\x00" + cover.getvalue()
    path = tmp_path / "tagged.mp3"
    path.write_bytes(id3_tag({"TIT2": b"Zhang San sings", "TPE1": b"Zhang San 13800138000",
                              "COMM": b"eng\x00Tongling", "APIC": apic}) + tone.read_bytes())
    assert tags(path)["format"]["tags"]["artist"].startswith("Zhang San")
    media = ingest(path, "audio")
    assert media.status == MediaStatus.READY, media.error
    preview = Path(media.preview.path)
    data = preview.read_bytes()
    for secret in PERSONAL:
        assert secret not in data, secret
    info = tags(preview)
    assert [s["codec_type"] for s in info["streams"]] == ["audio"]  # no cover picture
    kept = set(info["format"].get("tags") or {})
    assert kept <= {"major_brand", "minor_version", "compatible_brands", "encoder"}, kept
