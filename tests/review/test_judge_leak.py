"""The leak test of blind review (issue 10, "Done when"): an author name, a phone number and a unit
planted everywhere an entry can carry them (authors, contact phone, the unit, the submitter, an
identifying form answer, the uploaded file names, JPEG EXIF Artist/Copyright + GPS + XMP + comment,
PNG text chunks, an MP3's ID3 tags, an MP4's artist/comment/title and handler names, a PDF's /Author
and XMP, a DOCX's creator and company) never appear in anything the judge can get: every judge
page, every judge API response, the entry's blind page and API, the renditions (bytes and
metadata), the media status, the clean-copy downloads (headers, bytes, and the metadata read back
with Pillow, ffprobe, pypdf and zipfile). The originals stay out of reach.

The media are made at test time and go through the real ingest and processing (renditions)."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from tests.review import builders_judge as bj
from tests.review.builders import ReviewWorld
from zhengji.entries.file_targets import track_slot_target
from zhengji.entries.models import EntryStatus
from zhengji.media.models import MediaStatus
from zhengji.media.uploads.ingest import create_media_from_file

pytestmark = pytest.mark.django_db

EXTRA_FIELDS = [
    {"key": "author_name", "type": "text", "label": "作者姓名", "identifying": True},
    {"key": "author_phone", "type": "text", "label": "联系电话", "identifying": True},
    {"key": "pics", "type": "file", "label": "图片", "file": {"kinds": ["image"], "max_count": 5}},
    {"key": "clip", "type": "file", "label": "视频", "file": {"kinds": ["video"]}},
    {"key": "sound", "type": "file", "label": "音频", "file": {"kinds": ["audio"]}},
    {"key": "docs", "type": "file", "label": "文档", "file": {"kinds": ["document"], "max_count": 5}},
]
PLANTED_NAME = f"{bj.AUTHOR}-{bj.PHONE}-{bj.UNIT}-{bj.AUTHOR_LATIN}"


def ffprobe_json(data: bytes, tmp: Path, suffix: str) -> str:
    path = tmp / f"probe{suffix}"
    path.write_bytes(data)
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          "-show_chapters", str(path)], capture_output=True, check=True)
    return json.dumps(json.loads(out.stdout), ensure_ascii=False)


def inflated(data: bytes) -> bytes:
    """A ZIP's members inflated and joined (planted text in a DOCX is compressed); other bytes as they are."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(name) for name in z.namelist())


@pytest.fixture
def planted(tmp_path, django_capture_on_commit_callbacks):
    w = ReviewWorld()
    w.track.form_schema = list(w.track.form_schema) + EXTRA_FIELDS
    w.track.save(update_fields=["form_schema"])
    entry = w.reported(1, status=EntryStatus.ELIGIBLE)[0]
    bj.plant_identity(entry)
    entry.data = {**entry.data, "author_name": bj.AUTHOR, "author_phone": bj.PHONE}
    entry.save(update_fields=["data"])
    # The photo the world attached is renamed after the author as well.
    first = entry.file_links.get().media
    first.filename = f"{PLANTED_NAME}.png"
    first.save(update_fields=["filename"])
    files = {
        "pics": [bj.planted_jpeg(tmp_path / "a.jpg"), bj.planted_png(tmp_path / "b.png")],
        "clip": [bj.planted_mp4(tmp_path / "c.mp4")],
        "sound": [bj.planted_mp3(tmp_path / "d.mp3")],
        "docs": [bj.planted_pdf(tmp_path / "e.pdf"), bj.planted_docx(tmp_path / "f.docx")],
    }
    media = {}
    for slot, paths in files.items():
        for path in paths:
            # The planted identity is really in each file (else the test proves nothing).
            assert bj.leaks(inflated(path.read_bytes())), path
            with django_capture_on_commit_callbacks(execute=True):
                m = create_media_from_file(path, owner=entry.submitter, target=track_slot_target(w.track, slot),
                                           filename=f"{PLANTED_NAME}{path.suffix}")
            m.refresh_from_db()
            assert m.status == MediaStatus.READY, (path, m.error)
            bj.attach(entry, m, slot)
            media[path.suffix] = m
    judge = w.judge(None).user
    rnd = w.scoring_round()
    (asg,) = bj.assign(w, rnd, [entry], judge)
    w.entry, w.judge_user, w.rnd, w.asg, w.media = entry, judge, rnd, asg, media
    return w


class Collector:
    """Everything the judge got, checked as it comes."""

    def __init__(self, client):
        self.client = client
        self.seen = 0

    def check(self, label: str, r) -> bytes:
        headers = "\n".join(f"{k}: {v}" for k, v in r.items())
        assert bj.leaks(headers) == [], (label, headers)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        found = bj.leaks(body)
        assert found == [], (label, found)
        self.seen += 1
        return body

    def get(self, label: str, url: str, status: int = 200, **kw) -> bytes:
        r = self.client.get(url, **kw)
        assert r.status_code == status, (label, url, r.status_code)
        return self.check(label, r)


def test_a_planted_author_phone_and_unit_never_reach_the_judge(client, planted, tmp_path):
    w = planted
    client.force_login(w.judge_user)
    got = Collector(client)
    a = w.asg
    c1, c2 = list(w.rnd.criteria.all())

    # Pages and the API of the judge area.
    got.get("queue", reverse("review:judge_queue"))
    got.get("queue todo", reverse("review:judge_queue") + "?state=todo")
    page = got.get("entry page", reverse("review:judge_entry", args=[a.pk])).decode()
    assert w.entry.title in page  # the page did show the entry
    got.get("api queue", "/api/review/judge/queue")
    api_entry = json.loads(got.get("api entry", f"/api/review/judge/assignments/{a.pk}"))
    got.check("autosave", client.post(reverse("review:judge_entry", args=[a.pk]),
                                      {"action": "save", f"c_{c1.pk}": "10"}, HTTP_ACCEPT="application/json"))
    got.check("save", client.post(reverse("review:judge_entry", args=[a.pk]), {"action": "save",
                                                                              f"c_{c1.pk}": "11"}, follow=True))
    got.check("api save", client.put(f"/api/review/judge/assignments/{a.pk}/score",
                                     data=json.dumps({"values": {str(c1.pk): 12, str(c2.pk): 13}, "submit": True}),
                                     content_type="application/json"))
    # The entries app's blind page and API (the judge view of the gate).
    got.get("blind page", reverse("entries:blind", args=[w.entry.pk]))
    got.get("blind api", f"/api/entries/{w.entry.pk}/blind")
    # The entry's full views stay closed to the judge.
    for url in (reverse("entries:detail", args=[w.entry.pk]), f"/api/entries/{w.entry.pk}",
                f"/api/entries/{w.entry.pk}/status"):
        got.get(f"closed {url}", url, status=404)

    files = api_entry["entry"]["files"]
    assert len(files) == 7 and {f["kind"] for f in files} == {"image", "video", "audio", "document"}
    for f in files:
        assert f["name"].startswith(w.entry.number)
        # Renditions: bytes and metadata.
        for name, url in f["renditions"].items():
            data = got.get(f"rendition {f['id']} {name}", url)
            if name in ("thumb", "web", "poster"):
                with Image.open(io.BytesIO(data)) as im:
                    assert len(im.getexif()) == 0 and not ({"exif", "xmp", "comment", "icc_profile"} & set(im.info))
            else:
                assert bj.leaks(ffprobe_json(data, tmp_path, ".mp4")) == [], (f, name)
        # The processing status names the file neutrally; the original is not the judge's.
        status = json.loads(got.get(f"status {f['id']}", reverse("media:status", args=[f["id"]]) + "?format=json"))
        assert "original" not in status["urls"]
        got.get(f"status page {f['id']}", reverse("media:status", args=[f["id"]]))
        got.get(f"original {f['id']}", reverse("media:original", args=[f["id"]]), status=404)

    # Downloads of clean copies: from the page and the API, headers and bytes, metadata read back.
    downloads = api_entry["downloads"]
    assert set(downloads) == {str(f["id"]) for f in files}  # every file here has a clean copy
    for f in files:
        data = got.get(f"download {f['id']}", downloads[str(f["id"])])
        api = got.get(f"api download {f['id']}", f"/api/review/judge/assignments/{a.pk}/files/{f['id']}")
        assert api == data
        r = client.get(downloads[str(f["id"])])
        assert r["Content-Disposition"].startswith(f'attachment; filename="{w.entry.number}-{f["slot"]}-')
        kind = f["kind"]
        if kind == "image":
            with Image.open(io.BytesIO(data)) as im:
                assert len(im.getexif()) == 0, f
                assert not ({"exif", "xmp", "comment", "icc_profile", "XML:com.adobe.xmp", "Author",
                             "Copyright"} & set(im.info)), im.info
        elif kind in ("audio", "video"):
            probe = ffprobe_json(data, tmp_path, ".mp3" if kind == "audio" else ".mp4")
            assert bj.leaks(probe) == [], probe
            info = json.loads(probe)
            assert not ({"artist", "comment", "title", "album", "encoder"} & set(info["format"].get("tags", {})))
            for stream in info["streams"]:
                tags = stream.get("tags", {})
                assert set(tags) <= {"language", "handler_name", "vendor_id"}, tags
                assert tags.get("handler_name", "") in ("", "VideoHandler", "SoundHandler"), tags
        elif data.startswith(b"%PDF"):
            reader = PdfReader(io.BytesIO(data))
            assert reader.metadata is None and reader.xmp_metadata is None
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                props = z.read("docProps/core.xml").decode() + z.read("docProps/app.xml").decode()
                assert "creator" not in props and "Company" not in props and "lastModifiedBy" not in props
                for name in z.namelist():
                    assert bj.leaks(z.read(name)) == [], name  # inflated, every part
    assert got.seen > 40


def test_the_originals_did_carry_the_identity(planted):
    """The other side of the leak test: the stored originals still have their metadata (kept for
    their owner), so what the judge got was cleaned, not planted wrongly."""
    for m in planted.media.values():
        with m.original.open("rb") as fh:
            data = fh.read()
        assert bj.leaks(inflated(data)), m.filename
