"""The host's export package gives nobody another person's file metadata: a photograph with GPS
and an artist in its EXIF, an MP3 and an MP4 with an artist tag (and the MP4 a location) reach
the package as their clean copies (checked with Pillow and ffprobe); a file that cannot be
cleaned is shipped as uploaded and named in a note at the root; sizes, CRCs and ranges hold.
The work's explicit AI label is in its form and in the summary table."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from tests.reporting.test_exports import HostWorld, xlsx_rows
from zhengji.entries.models import EntryFile
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.originality import domain as originality
from zhengji.reporting.package import safe_name

pytestmark = pytest.mark.django_db
FFMPEG = shutil.which("ffmpeg") and shutil.which("ffprobe")
ARTIST = "Zhang San Photographer"


def gps_jpeg() -> bytes:
    img = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = ARTIST  # Artist
    exif[0x8825] = {1: "N", 2: (31.0, 5.0, 0.0), 3: "E", 4: (117.0, 48.0, 0.0)}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), quality=90)
    return buf.getvalue()


def av(tmp_path, ext: str) -> bytes:
    out = tmp_path / f"made.{ext}"
    src = ["-f", "lavfi", "-i", "sine=d=1"]
    if ext == "mp4":
        src = ["-f", "lavfi", "-i", "testsrc=d=1:s=64x64", *src, "-c:v", "mpeg4", "-c:a", "aac", "-shortest",
               "-metadata", "location=+31.0833+117.8000/"]
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *src, "-metadata", f"artist={ARTIST}",
                    "-metadata", "title=秘密的标题", str(out)], check=True)
    return out.read_bytes()


def attach(entry, content: bytes, name: str, kind: str, ctype: str) -> MediaFile:
    m = MediaFile(owner=entry.submitter, filename=name, purpose="photos", status=MediaStatus.READY, kind=kind,
                  content_type=ctype, size=len(content), sha256=hashlib.sha256(content).hexdigest())
    m.original.save(name, ContentFile(content), save=False)
    m.save()
    EntryFile.objects.create(entry=entry, media=m, slot="photos",
                             position=EntryFile.objects.filter(entry=entry, slot="photos").count())
    return m


def ffprobe_tags(data: bytes, tmp_path, ext: str) -> str:
    path = tmp_path / f"probe.{ext}"
    path.write_bytes(data)
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return json.dumps(json.loads(out), ensure_ascii=False)


@pytest.mark.skipif(not FFMPEG, reason="ffmpeg is installed by `make system-deps`")
def test_the_package_ships_files_without_personal_metadata(client, rw, tmp_path):
    hw = HostWorld(rw)
    attach(hw.e2, gps_jpeg(), "现场 照片.jpg", "image", "image/jpeg")
    attach(hw.e2, av(tmp_path, "mp3"), "朗诵.mp3", "audio", "audio/mpeg")
    attach(hw.e2, av(tmp_path, "mp4"), "短片.mp4", "video", "video/mp4")
    attach(hw.e2, b"PK\x03\x04 not really a zip", "资料.zip", "", "application/zip")
    client.force_login(rw.host_staff)
    url = reverse("reporting:host_package", args=[rw.track.pk])
    r = client.get(url)
    data = b"".join(r.streaming_content)
    assert len(data) == int(r["Content-Length"])
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    if shutil.which("unzip"):
        (tmp_path / "p.zip").write_bytes(data)
        check = subprocess.run(["unzip", "-tq", str(tmp_path / "p.zip")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    folder = safe_name(f"{hw.e2.number} {hw.e2.title}")
    photo = Image.open(io.BytesIO(z.read(f"{folder}/现场 照片.jpg")))
    exif = photo.getexif()
    assert photo.size == (64, 48) and not exif.get_ifd(0x8825) and 0x013B not in exif and 0x8825 not in exif
    assert ARTIST.encode() not in z.read(f"{folder}/现场 照片.jpg")
    for name, ext in (("朗诵.mp3", "mp3"), ("短片.mp4", "mp4")):
        payload = z.read(f"{folder}/{name}")
        tags = ffprobe_tags(payload, tmp_path, ext)
        assert ARTIST not in tags and "秘密的标题" not in tags and "+31.0833" not in tags, tags
        assert ARTIST.encode() not in payload
        assert '"codec_type": "audio"' in tags
    # The original of the source files did carry it all.
    assert ARTIST in ffprobe_tags(MediaFile.objects.get(filename="朗诵.mp3").original.read(), tmp_path, "mp3")
    # A file that cannot be cleaned goes as uploaded, named in the note at the root.
    assert z.read(f"{folder}/资料.zip") == b"PK\x03\x04 not really a zip"
    note = z.read("含元数据的文件.txt").decode("utf-8-sig") if "含元数据的文件.txt" in z.namelist() \
        else z.read("Files with metadata.txt").decode("utf-8-sig")
    assert f"{folder}/资料.zip" in note and "照片" not in note
    # Stable and resumable: the same bytes again, and any range of them.
    again = client.get(url)
    assert again["ETag"] == r["ETag"] and b"".join(again.streaming_content) == data
    n = len(data)
    part = client.get(url, HTTP_RANGE=f"bytes={n // 3}-{2 * n // 3}", HTTP_IF_RANGE=r["ETag"])
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[n // 3: 2 * n // 3 + 1]


def test_the_ai_label_is_in_the_form_and_the_summary(client, rw):
    hw = HostWorld(rw)
    originality.mark_suspected(rw.host_staff, hw.e3, suspected=True, reason="画面有生成痕迹")
    client.force_login(rw.host_staff)
    r = client.get(reverse("reporting:host_package", args=[rw.track.pk]))
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    summary = xlsx_rows(z.read([n for n in z.namelist() if n.endswith(".xlsx") and "/" not in n][0]))
    by_number = {row[1]: row for row in summary[4:]}
    label_col = len(summary[3]) - 1
    assert by_number[hw.e3.number][label_col] in ("疑似人工智能生成内容", "Suspected AI-generated content")
    assert not by_number[hw.e1.number][label_col]
    folder = safe_name(f"{hw.e3.number} {hw.e3.title}")
    form = xlsx_rows(z.read(next(n for n in z.namelist() if n.startswith(folder + "/") and n.endswith(".xlsx"))))
    assert any(row[1] in ("疑似人工智能生成内容", "Suspected AI-generated content") for row in form if len(row) > 1)
