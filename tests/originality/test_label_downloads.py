"""The explicit AI label goes with the files the public gets from a labelled work's page: the
download name starts with the label, and a photograph's web rendition is served with the label
drawn in its corner (a copy made once per rendition and label; the rendition is not changed).
An unlabelled work's files are served as before. A change of label reaches the file at once."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from PIL import Image

from tests import factories as f
from tests.public.entry.builders import World
from zhengji.entries.models import Entry
from zhengji.media import samples
from zhengji.media.views_media import rendition_path
from zhengji.originality import domain, marks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def photo_path(tmp_path_factory):
    d = tmp_path_factory.mktemp("label-samples")
    return samples.make_jpeg(d / "p.jpg", 640, 400)


def dark_corner(data: bytes) -> float:
    im = Image.open(io.BytesIO(data)).convert("L")
    w, h = im.size
    corner = im.crop((0, int(h * 0.85), int(w * 0.3), h))
    return sum(corner.getdata()) / (corner.size[0] * corner.size[1])


def test_the_web_rendition_of_a_labelled_work_carries_the_label(client, photo_path, django_capture_on_commit_callbacks):
    world = World()
    plain = world.entry(title="无标识")
    declared = world.entry(title="全部生成", ai_declaration="wholly", ai_tools="某模型")
    cap = django_capture_on_commit_callbacks
    p_plain = world.attach(plain, photo_path, "photos", cap)
    p_declared = world.attach(declared, photo_path, "photos", cap)

    r = client.get(rendition_path(p_plain, "web"))
    assert r.status_code == 200 and "AI" not in unquote(r.get("Content-Disposition", ""))
    original_web = b"".join(r.streaming_content) if r.streaming else r.content
    with p_plain.web.open("rb") as fh:
        assert original_web == fh.read()

    r = client.get(rendition_path(p_declared, "web"))
    assert r.status_code == 200
    disposition = unquote(r["Content-Disposition"])
    assert disposition.startswith("inline") and "AI生成-" in disposition and disposition.endswith(".jpg")
    assert world.submitter.real_name not in disposition  # never the uploaded name
    marked = b"".join(r.streaming_content) if r.streaming else r.content
    assert Image.open(io.BytesIO(marked)).size == Image.open(io.BytesIO(original_web)).size
    assert dark_corner(marked) < dark_corner(original_web)
    with p_declared.web.open("rb") as fh:  # the rendition itself is untouched
        assert fh.read() == original_web
    etag = r["ETag"]
    assert client.get(rendition_path(p_declared, "web"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The thumbnail keeps its picture but is named with the label too.
    r = client.get(rendition_path(p_declared, "thumb"))
    assert "AI生成-" in unquote(r["Content-Disposition"])


def test_a_suspected_mark_reaches_the_file_and_its_withdrawal_too(client, photo_path,
                                                                 django_capture_on_commit_callbacks):
    world = World()
    e = world.entry(title="疑似作品")
    Entry.objects.filter(pk=e.pk).update(submitted_at=e.created)
    photo = world.attach(e, photo_path, "photos", django_capture_on_commit_callbacks)
    url = rendition_path(photo, "web")
    before = client.get(url)
    assert "AI" not in unquote(before.get("Content-Disposition", ""))
    admin = f.user(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        domain.mark_suspected(admin, e, suspected=True, reason="画面有生成痕迹")
    r = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert r.status_code == 200 and r["ETag"] != before["ETag"]  # a new validator: caches fetch it again
    assert "疑似AI生成-" in unquote(r["Content-Disposition"])
    with django_capture_on_commit_callbacks(execute=True):
        domain.mark_suspected(admin, e, suspected=False, reason="作者提供了原始底片")
    r = client.get(url)
    assert "AI" not in unquote(r.get("Content-Disposition", "")) and r["ETag"] == before["ETag"]


def test_the_mark_and_the_name():
    im = marks.draw_label(Image.new("RGB", (300, 200), (250, 250, 250)), "疑似AI生成")
    assert im.getpixel((6, 190))[0] < 200 and im.getpixel((290, 10)) == (250, 250, 250)
    assert marks.download_name("suspected", "T1-0001", 5, "web", "jpg") == "疑似AI生成-T1-0001-5-web.jpg"
    assert marks.download_name("", "T1-0001", 5, "web", "jpg") == "T1-0001-5-web.jpg"
    assert marks.copy_name("a.jpg", "wholly") != marks.copy_name("a.jpg", "suspected")
