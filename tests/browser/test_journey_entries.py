"""The entry submission journey, end to end in chromium: a worker of a grassroots union enters a
photo series (three JPEGs through the Uppy widget) and a micro-drama (an MP4 of several MB whose
resumable upload is cut off mid-chunk and resumed), sees the renditions on the entry pages, edits
a submitted entry and downloads the receipt."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess

import pytest

from tests import factories as f
from tests.browser.session import log_in
from tests.entries.builders import campaign_now, worker
from zhengji.campaigns.models import WorkKind
from zhengji.entries.files import files_of
from zhengji.entries.models import Entry, EntryStatus
from zhengji.media import samples
from zhengji.media.models import MediaFile, MediaStatus, Upload, UploadStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

CHUNK = 256 * 1024

PHOTO_SCHEMA = [
    {"key": "place", "type": "text", "label": "拍摄地点", "label_en": "Where", "required": True, "max_length": 50},
    {"key": "photos", "type": "file", "label": "组照", "label_en": "Photo series", "required": True,
     "file": {"kinds": ["image"], "extensions": ["jpg", "jpeg"], "max_size_mb": 20, "min_megapixels": 0.2,
              "min_count": 2, "max_count": 6}},
]
VIDEO_SCHEMA = [
    {"key": "video", "type": "file", "label": "微短剧", "label_en": "Micro-drama", "required": True,
     "file": {"kinds": ["video"], "extensions": ["mp4"], "max_size_mb": 100, "max_duration_s": 60,
              "min_width": 320, "min_height": 240, "max_count": 1}},
]



def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_text(data: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is installed by `make system-deps`"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


class Traffic:
    """Requests in flight. (`wait_for_load_state("networkidle")` returns at once once a page has
    been idle, so it cannot tell that later htmx or fetch requests have finished.)"""

    def __init__(self, page):
        self.page = page
        self.pending: set = set()
        page.on("request", lambda r: self.pending.add(r))
        page.on("requestfinished", lambda r: self.pending.discard(r))
        page.on("requestfailed", lambda r: self.pending.discard(r))

    def settle(self, quiet_ms: int = 800, timeout_ms: int = 30000) -> None:
        """Wait until no request has been in flight for `quiet_ms`."""
        quiet = waited = 0
        while quiet < quiet_ms:
            if waited > timeout_ms:
                raise AssertionError(f"requests still in flight: {[r.url for r in self.pending]}")
            self.page.wait_for_timeout(100)
            waited += 100
            quiet = 0 if self.pending else quiet + 100


class ServerErrors(logging.Handler):
    """Errors Django logs while serving the browser (each 500 with its exception)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def check(self, browser_errors: list[str]) -> None:
        """No server error at all, on any database (the SQLite test database is a file, so
        concurrent requests wait for its lock as in the embedded server)."""
        assert [r.getMessage() for r in self.records] == []
        assert browser_errors == [], browser_errors


def watch_errors(page) -> list[str]:
    """Script errors, CSP violations and failed requests the journey must not produce (aborted
    requests are the test's own doing and are not responses)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.request.method} {r.url}")
            if r.status >= 400 and "favicon" not in r.url else None)
    return errors


def start_entry(page, track, title: str) -> Entry:
    page.goto(f"{page.base_url}/entries/new/")
    page.get_by_role("link", name=re.compile(track.name)).click()
    page.wait_for_url(f"**/entries/new/{track.pk}/")
    page.get_by_label("作品名称").fill(title)
    page.get_by_role("button", name="开始填写").click()
    page.wait_for_url(re.compile(r"/entries/\d+/edit/$"))
    return Entry.objects.get(pk=int(re.search(r"/entries/(\d+)/edit/", page.url).group(1)))


def submit(page, traffic, entry: Entry) -> str:
    page.get_by_label(re.compile("我已阅读并同意")).check()
    traffic.settle()  # the autosave the tick sets off
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(rf"/entries/{entry.pk}/$"))
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.number and entry.number in page.locator(".alert-success, main").first.inner_text()
    return entry.number


def loaded_images(page, selector: str) -> int:
    """How many of the <img> elements matching `selector` loaded a real picture."""
    page.wait_for_function(f"[...document.querySelectorAll({selector!r})].every(i => i.complete)")
    return page.evaluate(f"[...document.querySelectorAll({selector!r})].filter(i => i.naturalWidth > 0).length")


def add_files(page, traffic: Traffic, widget, paths, *, expect: int) -> None:
    """Add files through Uppy's own file input, all at once as a person would, and wait until
    the last is ingested (its MediaFile id is listed)."""
    file_input = widget.locator("input.uppy-Dashboard-input").first
    items = widget.locator(".zj-uploader-files li[data-media-id]")
    traffic.settle()  # the page's own requests (thumbnails, autosave) first
    if not file_input.count():  # the Dashboard lists files already: open its "add more" panel
        widget.locator(".uppy-DashboardContent-addMore").click()
    file_input.set_input_files([str(p) for p in paths])
    items.nth(expect - 1).wait_for(timeout=90000)
    traffic.settle()


def test_entry_submission_journey(page, settings, tmp_path, request):
    settings.MEDIA_UPLOAD_CHUNK_BYTES = CHUNK
    settings.ENTRIES_AUTOSAVE_SECONDS = 1
    tree = f.tongling_tree()
    campaign = campaign_now(tree["province"])
    photo_track = f.track(campaign, tree["city"], number=3, slug="photo", name="摄影作品", name_en="Photography",
                          work_kind=WorkKind.IMAGE, form_schema=PHOTO_SCHEMA)
    drama_track = f.track(campaign, tree["city"], number=5, slug="drama", name="微短剧", name_en="Micro-dramas",
                          work_kind=WorkKind.VIDEO, form_schema=VIDEO_SCHEMA)
    person = worker(tree["jq1"], real_name="赵六")

    photos = [samples.make_jpeg(tmp_path / f"车间{i}.jpg", 800, 600) for i in (1, 2, 3)]
    more = [samples.make_jpeg(tmp_path / f"夜班{i}.jpg", 600, 800) for i in (4, 5, 6, 7)]
    clip = samples.make_video(tmp_path / "班组的一天.mp4", 4, 320, 240, noise=60)
    clip_size = clip.stat().st_size
    assert clip_size > 8 * CHUNK  # several chunks, so the upload can be cut off in the middle

    errors = watch_errors(page)
    server_errors = ServerErrors()
    logging.getLogger("django.request").addHandler(server_errors)
    request.addfinalizer(lambda: logging.getLogger("django.request").removeHandler(server_errors))
    traffic = Traffic(page)
    log_in(page, person)

    # --- 1. A photo series: three JPEGs through the widget, then the pledge and Submit. ---------
    photo_entry = start_entry(page, photo_track, "车间里的光")
    page.get_by_label("拍摄地点").fill("郊区某厂三号车间")
    page.get_by_label("拍摄地点").blur()
    page.wait_for_timeout(1200)  # the autosave of what was typed (on change, and after typing)
    traffic.settle()
    widget = page.locator("#uploader-photos")
    add_files(page, traffic, widget, photos, expect=3)
    ids = widget.locator("input[name=photos]").input_value().split(",")
    assert len(ids) == 3
    media = {m.filename: m for m in MediaFile.objects.filter(owner=person, purpose="photos")}
    assert set(media) == {p.name for p in photos}
    for p in photos:  # the server's bytes are the file's
        assert media[p.name].sha256 == sha256(p)
    photo_number = submit(page, traffic, photo_entry)
    assert sorted(files_of(photo_entry).values_list("pk", flat=True)) == sorted(int(i) for i in ids)

    # Processing ran (the immediate task backend): the entry page shows the three thumbnails.
    assert all(m.status == MediaStatus.READY for m in files_of(photo_entry).all())
    page.locator("#h-entry").wait_for()
    assert loaded_images(page, "main .entry-files img") == 3

    # --- 2. A micro-drama: the upload is cut off in the middle of a chunk and resumes. ----------
    drama_entry = start_entry(page, drama_track, "班组的一天")
    seen = {"patch": 0, "head": 0, "cut": 0, "offsets": []}

    def cut_one_chunk(route):
        request = route.request
        if request.method == "HEAD":
            seen["head"] += 1
        if request.method == "PATCH":
            seen["patch"] += 1
            seen["offsets"].append(int(request.headers["upload-offset"]))
            if seen["patch"] == 3:
                # Half the chunk reaches the server, then the connection drops: the browser sees
                # a network error, asks HEAD where to go on and sends the rest.
                body = request.post_data_buffer
                route.fetch(post_data=body[: len(body) // 2])
                seen["cut"] = len(body) // 2
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/files/tus/*", cut_one_chunk)
    traffic.settle()
    widget = page.locator("#uploader-video")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(clip))
    widget.locator(".zj-uploader-files li[data-media-id]").wait_for(timeout=90000)
    page.unroute("**/files/tus/*")
    assert seen["cut"] and seen["head"] >= 1
    # The half chunk the server got was kept: the browser went on from there, not from the chunk's start.
    assert 2 * CHUNK + seen["cut"] in seen["offsets"]
    assert seen["patch"] >= clip_size // CHUNK + 1  # every chunk, plus the one sent again
    upload = Upload.objects.get(user=person, filename=clip.name)
    assert upload.status == UploadStatus.ATTACHED and upload.offset == clip_size
    video = MediaFile.objects.get(owner=person, purpose="video")
    assert video.size == clip_size and video.sha256 == sha256(clip)
    assert widget.locator("input[name=video]").input_value() == str(video.pk)
    drama_number = submit(page, traffic, drama_entry)
    assert drama_number != photo_number

    # The entry page: the poster and the playable preview.
    video.refresh_from_db()
    assert video.status == MediaStatus.READY
    player = page.locator(f"#entry-media-{video.pk} video")
    player.wait_for(timeout=15000)
    page.wait_for_function(f"document.querySelector('#entry-media-{video.pk} video').readyState >= 1 && "
                           f"document.querySelector('#entry-media-{video.pk} video').duration > 3")
    poster = player.get_attribute("poster")
    r = page.request.get(page.base_url + poster)
    assert r.status == 200 and r.headers["content-type"] == "image/jpeg" and r.body()[:2] == b"\xff\xd8"
    r = page.request.get(page.base_url + f"/files/m/{video.pk}/thumb")
    assert r.status == 200

    # --- 3. The submitted photo series is edited before the deadline. ----------------------------
    page.goto(f"{page.base_url}/entries/{photo_entry.pk}/")
    page.get_by_role("link", name="编辑", exact=True).click()
    page.wait_for_url(f"**/entries/{photo_entry.pk}/edit/")
    # The widget lists the attached photos with their thumbnails.
    assert page.locator("#uploader-photos .zj-uploader-files li[data-media-id]").count() == 3
    assert loaded_images(page, "#uploader-photos img") == 3
    page.get_by_label("作品名称").fill("车间里的光（修订）")
    page.get_by_label("作品简介").fill("六张照片记录夜班的灯光。")
    # Three more photos fill the series to its maximum of six; a seventh is refused.
    widget = page.locator("#uploader-photos")
    add_files(page, traffic, widget, more[:3], expect=6)
    assert len(widget.locator("input[name=photos]").input_value().split(",")) == 6
    # Ingested files left Uppy for the one list: its drop zone is empty again, no "add more" panel.
    page.wait_for_function("() => !document.querySelector('#uploader-photos .uppy-Dashboard-Item')")
    if not widget.locator("input.uppy-Dashboard-input").count():
        widget.locator(".uppy-DashboardContent-addMore").click()
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(more[3]))
    page.get_by_text("此项已达到文件数量上限").first.wait_for()
    assert widget.locator(".zj-uploader-files li[data-media-id]").count() == 6
    page.get_by_role("button", name="保存修改").click()
    page.wait_for_url(f"**/entries/{photo_entry.pk}/edit/")
    assert "已保存" in page.locator(".alert-success").inner_text()
    page.goto(f"{page.base_url}/entries/{photo_entry.pk}/")
    assert page.locator("h1").inner_text() == "车间里的光（修订）"
    assert "六张照片记录夜班的灯光。" in page.locator("main").inner_text()
    assert loaded_images(page, "main .entry-files img") == 6
    photo_entry.refresh_from_db()
    assert photo_entry.number == photo_number and photo_entry.status == EntryStatus.SUBMITTED
    assert files_of(photo_entry).count() == 6

    # --- 4. The receipt. --------------------------------------------------------------------------
    with page.expect_download() as dl:
        page.get_by_role("link", name=re.compile("回执")).click(modifiers=["Alt"])
    pdf = (tmp_path / "r.pdf")
    dl.value.save_as(pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path).replace("\n", "")
    assert photo_number in text and "车间里的光（修订）" in text
    assert all(p.name in text for p in photos)

    server_errors.check(errors)


def test_the_form_waits_for_uploads_in_progress(page, settings, tmp_path):
    """Pressing Submit (or Save) while a file is still uploading would cut the upload off and send
    the form without it: the form is held back with a message until the file is in."""
    settings.MEDIA_UPLOAD_CHUNK_BYTES = CHUNK
    tree = f.tongling_tree()
    track = f.track(campaign_now(tree["province"]), tree["city"], number=3, slug="photo", name="摄影作品",
                    form_schema=PHOTO_SCHEMA)
    person = worker(tree["jq1"], real_name="赵六")
    photo = samples.make_jpeg(tmp_path / "慢慢传.jpg", 800, 600)
    traffic = Traffic(page)
    log_in(page, person)
    entry = start_entry(page, track, "等一等")
    traffic.settle()
    held = []
    page.route("**/files/tus/*", lambda route: held.append(route) if route.request.method == "PATCH"
               else route.continue_())
    widget = page.locator("#uploader-photos")
    widget.locator("input.uppy-Dashboard-input").first.set_input_files(str(photo))
    for _ in range(100):  # the PATCH is on its way (and held)
        if held:
            break
        page.wait_for_timeout(100)
    assert held
    page.get_by_label(re.compile("我已阅读并同意")).check()
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_text("请等待文件上传完成").first.wait_for()
    assert page.url.endswith(f"/entries/{entry.pk}/edit/")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
    # The upload goes on; once the file is in, the form goes.
    held[0].continue_()
    page.unroute("**/files/tus/*")
    widget.locator(".zj-uploader-files li[data-media-id]").wait_for(timeout=30000)
    assert widget.locator("[data-zj-busy]").count() == 0
    traffic.settle()
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(f"**/entries/{entry.pk}/edit/")
    assert files_of(entry).get().filename == photo.name


def test_a_refused_file_frees_its_place(page, settings, tmp_path):
    """The micro-drama slot takes one video. A file that is not a video is refused with the
    reason; the entrant then adds the real clip in its place and submits."""
    tree = f.tongling_tree()
    track = f.track(campaign_now(tree["province"]), tree["city"], number=5, slug="drama", name="微短剧",
                    work_kind=WorkKind.VIDEO, form_schema=VIDEO_SCHEMA)
    person = worker(tree["jq1"], real_name="赵六")
    fake = samples.make_text_as(tmp_path / "不是视频.mp4")
    clip = samples.make_video(tmp_path / "真视频.mp4", 2, 320, 240)
    traffic = Traffic(page)
    log_in(page, person)
    entry = start_entry(page, track, "第二次才对")
    widget = page.locator("#uploader-video")
    add_input = widget.locator("input.uppy-Dashboard-input").first
    traffic.settle()
    add_input.set_input_files(str(fake))
    error = widget.locator(".zj-uploader-errors li")
    error.wait_for(timeout=30000)
    assert error.inner_text().startswith("不是视频.mp4: ") and "纯文本" in error.inner_text()
    traffic.settle()
    if not add_input.count():
        widget.locator(".uppy-DashboardContent-addMore").click()
    add_input.set_input_files(str(clip))
    widget.locator(".zj-uploader-files li[data-media-id]").wait_for(timeout=30000)
    assert widget.locator("input[name=video]").input_value() == str(MediaFile.objects.get(owner=person).pk)
    assert submit(page, traffic, entry)
