"""Clean copies for judges: each type's metadata removed (read back with Pillow, ffprobe, pypdf,
zipfile), the content kept, the copy cached by content, other types refused."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader

from tests import factories as f
from tests.review import builders_judge as bj
from zhengji.media import samples, stripping
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.stripping import StrippingRefused, stripped_copy

pytestmark = pytest.mark.django_db


def stored(path: Path, kind: str, *, filename: str | None = None, status=MediaStatus.READY) -> MediaFile:
    data = path.read_bytes()
    m = MediaFile(owner=f.user(), filename=filename or path.name, status=status, kind=kind, size=len(data),
                  sha256=hashlib.sha256(data).hexdigest())
    m.original.save(f"x{path.suffix}", ContentFile(data), save=False)
    m.save()
    return m


def ffprobe(path_or_bytes) -> dict:
    if isinstance(path_or_bytes, bytes):
        proc = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                               "-show_chapters", "-"], input=path_or_bytes, capture_output=True, check=True)
    else:
        proc = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                               "-show_chapters", str(path_or_bytes)], capture_output=True, check=True)
    return json.loads(proc.stdout)


def read(copy) -> bytes:
    with copy.open() as fh:
        return fh.read()


def test_jpeg_loses_exif_gps_xmp_comment_and_keeps_its_pixels(tmp_path):
    src = bj.planted_jpeg(tmp_path / "p.jpg")
    with Image.open(src) as im:
        assert im.getexif().get(0x013B) and "xmp" in im.info and "comment" in im.info  # planted
        original_q = im.quantization
        original = im.copy()
    copy = stripped_copy(stored(src, "image"))
    data = read(copy)
    assert copy.ext == "jpg" and copy.content_type == "image/jpeg" and bj.leaks(data) == []
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and len(im.getexif()) == 0
        assert not ({"exif", "xmp", "comment", "icc_profile", "XML:com.adobe.xmp"} & set(im.info))
        assert im.quantization == original_q  # quality "keep": the same tables
        # Decoded and encoded again with the same tables: within a rounding step of the original.
        diff = ImageStat.Stat(ImageChops.difference(im.convert("RGB"), original.convert("RGB")))
        assert max(diff.mean) < 2


def test_png_loses_text_chunks_and_exif(tmp_path):
    src = bj.planted_png(tmp_path / "p.png")
    data = read(stripped_copy(stored(src, "image")))
    assert bj.leaks(data) == [] and b"tEXt" not in data and b"iTXt" not in data and b"eXIf" not in data
    with Image.open(io.BytesIO(data)) as im, Image.open(src) as orig:
        assert im.tobytes() == orig.tobytes() and len(im.getexif()) == 0


def test_rotated_jpeg_is_turned_upright_without_exif(tmp_path):
    src = samples.make_jpeg(tmp_path / "r.jpg", 64, 32, orientation=6)
    data = read(stripped_copy(stored(src, "image")))
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (32, 64) and len(im.getexif()) == 0
    assert b"Sample Author" not in data


def test_mp3_loses_its_id3_tags(tmp_path):
    src = bj.planted_mp3(tmp_path / "a.mp3")
    assert bj.AUTHOR in json.dumps(ffprobe(src), ensure_ascii=False)  # planted
    copy = stripped_copy(stored(src, "audio"))
    data = read(copy)
    assert copy.ext == "mp3" and bj.leaks(data) == [] and b"ID3" not in data[:3] and b"TAG" not in data[-128:]
    (tmp_path / "out.mp3").write_bytes(data)
    info = ffprobe(tmp_path / "out.mp3")
    assert not info["format"].get("tags") and info["streams"][0]["codec_name"] == "mp3"
    assert float(info["format"]["duration"]) > 1.5


def test_mp4_loses_artist_comment_and_handler_names(tmp_path):
    src = bj.planted_mp4(tmp_path / "v.mp4")
    copy = stripped_copy(stored(src, "video"))
    data = read(copy)
    assert bj.leaks(data) == [] and b"Lavf" not in data
    with open(tmp_path / "out.mp4", "wb") as fh:
        fh.write(data)
    info = ffprobe(tmp_path / "out.mp4")
    tags = info["format"].get("tags", {})
    assert not ({"artist", "comment", "title", "encoder"} & set(tags)), tags
    for s in info["streams"]:
        # The muxer's generic names only (the planted ones are gone).
        assert s.get("tags", {}).get("handler_name", "") in ("", "VideoHandler", "SoundHandler"), s.get("tags")
    assert {s["codec_type"] for s in info["streams"]} == {"video", "audio"}


def test_pdf_loses_info_and_xmp(tmp_path):
    src = bj.planted_pdf(tmp_path / "d.pdf")
    assert PdfReader(src).metadata.author == bj.AUTHOR  # planted
    data = read(stripped_copy(stored(src, "document")))
    assert bj.leaks(data) == []
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2 and reader.metadata is None and reader.xmp_metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    assert "Zhengji sample 1" in reader.pages[0].extract_text()


def test_docx_loses_creator_last_modified_and_company(tmp_path):
    src = bj.planted_docx(tmp_path / "w.docx")
    data = read(stripped_copy(stored(src, "document")))
    assert bj.leaks(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
        app = z.read("docProps/app.xml").decode()
        assert "creator" not in core and "lastModifiedBy" not in core and "Company" not in app
        assert "征集 sample document" in z.read("word/document.xml").decode()
    # Still a Word document, with empty properties.
    doc = docx.Document(io.BytesIO(data))
    props = doc.core_properties
    assert props.author == "" and bj.leaks(f"{props.last_modified_by} {props.title} {props.comments}") == []
    assert doc.paragraphs[0].text == "征集 sample document"


def test_word_comment_authors_are_blanked(tmp_path):
    src = samples.make_docx(tmp_path / "c.docx")
    with zipfile.ZipFile(src, "a") as z:
        z.writestr("word/comments.xml", f'<w:comments><w:comment w:id="0" w:author="{bj.AUTHOR}" '
                                        f'w:initials="OY"><w:p/></w:comment></w:comments>')
    data = read(stripped_copy(stored(src, "document")))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert bj.AUTHOR not in z.read("word/comments.xml").decode()


def test_copy_is_cached_by_content_and_other_types_refused(tmp_path):
    src = samples.make_png(tmp_path / "p.png", 40, 30)
    a, b = stored(src, "image"), stored(src, "image")
    first = stripped_copy(a)
    assert stripped_copy(b).name == first.name == stripping.cache_name(a)
    assert default_storage.exists(first.name) and first.name.startswith("review/stripped/")
    text = tmp_path / "t.txt"
    text.write_text("hello")
    with pytest.raises(StrippingRefused):
        stripped_copy(stored(text, "document"))
    with pytest.raises(StrippingRefused):
        stripped_copy(stored(src, "image", status=MediaStatus.PROCESSING))
    assert not stripping.can_strip(stored(text, "document")) and stripping.can_strip(a)


TAGS = ["-metadata", f"artist={bj.AUTHOR} {bj.PHONE}", "-metadata", f"comment={bj.UNIT}",
        "-metadata", f"title={bj.AUTHOR_LATIN}"]
SINE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=22050"]
PATTERN = ["-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10"]
STREAM_TAGS = ["-metadata:s:a", f"title={bj.UNIT_LATIN}", "-metadata:s:a", "language=zho"]


@pytest.mark.parametrize("ext, kind, args", [
    ("ogg", "audio", [*SINE, "-c:a", "libopus", *TAGS, *STREAM_TAGS, "-f", "ogg"]),
    ("m4a", "audio", [*SINE, "-c:a", "aac", *TAGS, *STREAM_TAGS, "-f", "ipod"]),
    ("wav", "audio", [*SINE, "-c:a", "pcm_s16le", *TAGS, "-f", "wav"]),
    ("flac", "audio", [*SINE, "-c:a", "flac", *TAGS, *STREAM_TAGS, "-f", "flac"]),
    ("webm", "video", [*PATTERN, *SINE, "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus", *TAGS,
                       *STREAM_TAGS, "-shortest", "-f", "webm"]),
    ("mov", "video", [*PATTERN, *SINE, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                      "-c:a", "aac", *TAGS, *STREAM_TAGS, "-shortest", "-f", "mov"]),
    ("mkv", "video", [*PATTERN, *SINE, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                      "-c:a", "aac", *TAGS, *STREAM_TAGS, "-shortest", "-f", "matroska"]),
])
def test_other_containers_lose_their_tags(tmp_path, ext, kind, args):
    src = tmp_path / f"s.{ext}"
    bj._ffmpeg(*args, str(src))
    assert bj.leaks(json.dumps(ffprobe(src), ensure_ascii=False))  # planted
    copy = stripped_copy(stored(src, kind))
    assert copy.ext == ext
    out = tmp_path / f"out.{ext}"
    out.write_bytes(read(copy))
    info = ffprobe(out)
    assert bj.leaks(json.dumps(info, ensure_ascii=False)) == [] and bj.leaks(out.read_bytes()) == []
    assert float(info["format"]["duration"]) > 0.5
    assert ("video" in {s["codec_type"] for s in info["streams"]}) == (kind == "video")


def test_a_cover_picture_is_left_out_of_an_mp3(tmp_path):
    cover = bj.planted_jpeg(tmp_path / "cover.jpg")
    src = tmp_path / "cover.mp3"
    bj._ffmpeg(*SINE, "-i", str(cover), "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame", "-c:v", "copy",
               "-id3v2_version", "3", "-metadata:s:v", "comment=Cover (front)", "-disposition:v", "attached_pic",
               "-f", "mp3", str(src))
    assert "video" in {s["codec_type"] for s in ffprobe(src)["streams"]}
    out = tmp_path / "out.mp3"
    out.write_bytes(read(stripped_copy(stored(src, "audio"))))
    assert {s["codec_type"] for s in ffprobe(out)["streams"]} == {"audio"}
    assert bj.leaks(out.read_bytes()) == []


@pytest.mark.parametrize("fmt, ext, mode, expect", [
    ("TIFF", "tif", "CMYK", "png"), ("GIF", "gif", "P", "png"), ("BMP", "bmp", "RGB", "png"),
    ("WEBP", "webp", "RGB", "webp"), ("JPEG", "jpg", "CMYK", "jpg"),
])
def test_other_images_become_clean_copies_a_browser_shows(tmp_path, fmt, ext, mode, expect):
    src = tmp_path / f"i.{ext}"
    img = samples._picture(64, 48).convert(mode)
    exif = Image.Exif()
    exif[0x013B] = bj.AUTHOR_LATIN
    kwargs = {"exif": exif.tobytes()} if fmt in ("TIFF", "WEBP", "JPEG") else {}
    if fmt == "GIF":
        kwargs = {"comment": bj.AUTHOR_LATIN.encode()}
    img.save(src, fmt, **kwargs)
    copy = stripped_copy(stored(src, "image"))
    data = read(copy)
    assert copy.ext == expect and bj.leaks(data) == []
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (64, 48) and len(im.getexif()) == 0 and "comment" not in im.info
