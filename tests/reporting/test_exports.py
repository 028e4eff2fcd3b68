"""Recommendation forms (.xlsx, PDF), the summary PDF, the host page and the export package: each
opened and compared with the data (Chinese file names included), masking per reader, formula
escaping, Range requests, and who may not have any of it."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f
from tests.entries.builders import media, worker
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.models import AuditLog
from zhengji.entries.models import EntryAuthor, EntryStatus
from zhengji.media import stripping
from zhengji.media.models import MediaFile
from zhengji.orgs.models import OrgKind
from zhengji.reporting import services
from zhengji.reporting.models import Batch, CleanChecksum, MediaChecksum, RenderedFile, UnitOpinion
from zhengji.reporting.package import safe_name

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_text(data: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is installed by `make system-deps`"
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def xlsx_rows(data: bytes) -> list[list]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def report(user, level, entries, track):
    services.recommend(user, entries, level)
    batch = services.create_batch(user, level, track)
    return services.send_batch(user, batch)


class HostWorld:
    """Entries of two cities reported to the host: 铜陵 (ya1 → 义安区 → 铜陵市) and 芜湖 (wh1 → 芜湖市)."""

    def __init__(self, rw):
        self.rw = rw
        t = rw.tree
        self.wuhu = f.org("芜湖市总工会", OrgKind.CITY, t["province"], code="AH-WH")
        self.wh1 = f.org("芜湖某厂工会", OrgKind.GRASSROOTS, self.wuhu, code="AH-WH-01")
        self.wuhu_admin = f.unit_admin(self.wuhu)
        self.wh1_admin = f.unit_admin(self.wh1)
        self.e1 = rw.submitted(title="=cmd|' /C calc'!A0 春天/的故事")
        EntryAuthor.objects.filter(entry=self.e1).delete()
        EntryAuthor.objects.create(entry=self.e1, position=0, name="张三")
        EntryAuthor.objects.create(entry=self.e1, position=1, name="李四")
        media(self.e1.submitter, slot="photos", name="第二张 照片:原图.png", entry=self.e1)
        self.e2 = rw.submitted(title="芜湖的桥", unit="ya1")
        self.e3 = rw.submitted(title="江城夜色", user=worker(self.wh1))
        services.set_opinion(rw.ya1_admin, self.e1, t["ya1"], "@同意推荐")
        self.b_ya1 = report(rw.ya1_admin, t["ya1"], [self.e1, self.e2], rw.track)
        services.set_opinion(rw.yian_admin, self.e1, t["yian"], "区级同意")
        self.b_yian = report(rw.yian_admin, t["yian"], [self.e1, self.e2], rw.track)
        self.b_tl = report(rw.city_admin, t["city"], [self.e1, self.e2], rw.track)
        self.b_wh1 = report(self.wh1_admin, self.wh1, [self.e3], rw.track)
        self.b_wh = report(self.wuhu_admin, self.wuhu, [self.e3], rw.track)
        for e in (self.e1, self.e2, self.e3):
            e.refresh_from_db()


@pytest.fixture
def hw(rw):
    return HostWorld(rw)


def test_batch_form_xlsx_and_pdf_contents_and_masking(client, hw, tmp_path):
    rw, e = hw.rw, hw.e1
    phone = e.contact_phone
    masked = f"{phone[:3]}****{phone[-4:]}"
    url = reverse("reporting:batch_form", args=[hw.b_ya1.pk, e.pk, "xlsx"])
    # The receiving county administers the entry's unit subtree: the whole phone.
    client.force_login(rw.yian_admin)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert "filename*=utf-8''%E6%8E%A8%E8%8D%90%E8%A1%A8" in r["Content-Disposition"]  # 推荐表
    rows = xlsx_rows(r.content)
    fields = {row[0]: row[1] for row in rows[2:]}
    values = [row[1] for row in rows[2:]]
    assert rows[0] == ["推荐表", rw.campaign.name]
    assert fields["作品编号"] == e.number and fields["子项目"] == "摄影作品"
    assert values[2] == "'=cmd|' /C calc'!A0 春天/的故事"  # the title, escaped against formula injection
    assert fields["作者"] == "张三、李四" and fields["单位"] == rw.tree["ya1"].name
    assert fields["联系电话"] == phone
    assert fields["时长/大小"].startswith("2 个文件") and fields["作品简介"] == "简介"
    assert fields["单位意见"] == "义安区某公司工会：@同意推荐\n义安区总工会：区级同意"  # bottom first
    # PDF: the same facts, in Chinese.
    r = client.get(reverse("reporting:batch_form", args=[hw.b_ya1.pk, e.pk, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = pdf_text(r.content, tmp_path)
    assert "推荐表" in text and e.number in text and "春天/的故事" in text and phone in text
    assert "区级同意" in text and "张三、李四" in text
    # The host's staff do not administer the unit: masked, in both formats.
    client.force_login(rw.host_staff)
    r = client.get(reverse("reporting:host_form", args=[rw.track.pk, e.pk, "xlsx"]))
    fields = {row[0]: row[1] for row in xlsx_rows(r.content)[2:]}
    assert fields["联系电话"] == masked
    text = pdf_text(client.get(reverse("reporting:host_form", args=[rw.track.pk, e.pk, "pdf"])).content, tmp_path)
    assert masked in text and phone not in text
    assert client.get(reverse("reporting:host_form", args=[rw.track.pk, e.pk, "doc"])).status_code == 404
    assert AuditLog.objects.filter(action="batch.export").exists() and AuditLog.objects.filter(
        action="host.export").exists()


def test_summary_pdf_and_forms_zip(client, hw, tmp_path):
    rw = hw.rw
    client.force_login(rw.city_admin)  # receives 义安区's batch
    r = client.get(reverse("reporting:batch_summary_pdf", args=[hw.b_yian.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path)
    assert "报送汇总表" in text and hw.b_yian.number in text
    assert hw.e1.number in text and hw.e2.number in text and "芜湖的桥" in text
    r = client.get(reverse("reporting:batch_forms_zip", args=[hw.b_yian.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    data = b"".join(r.streaming_content)
    assert len(data) == int(r["Content-Length"])
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    names = z.namelist()
    folder = f"{hw.e1.number} =cmd_' _C calc'!A0 春天_的故事"
    assert f"{folder}/推荐表 {hw.e1.number}.xlsx" in names and f"{folder}/推荐表 {hw.e1.number}.pdf" in names
    assert "汇总表.xlsx" in names and "汇总表.pdf" in names
    assert not any(n.endswith(".png") for n in names)  # forms only, no files
    rows = xlsx_rows(z.read("汇总表.xlsx"))
    assert rows[4][1] == hw.e1.number and rows[4][3].startswith("'=cmd") and rows[5][1] == hw.e2.number
    inner = xlsx_rows(z.read(f"{folder}/推荐表 {hw.e1.number}.xlsx"))
    assert inner[2][1] == hw.e1.number
    assert all(i.flag_bits & 0x800 for i in z.infolist() if not i.filename.isascii())  # UTF-8 names


def test_host_package_contents(client, hw, tmp_path):
    rw = hw.rw
    client.force_login(rw.host_staff)
    r = client.get(reverse("reporting:host_package", args=[rw.track.pk]))
    assert r.status_code == 200 and r["Accept-Ranges"] == "bytes" and r["ETag"]
    assert "filename*=utf-8''" in r["Content-Disposition"]
    data = b"".join(r.streaming_content)
    assert len(data) == int(r["Content-Length"])
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    # Info-ZIP's unzip agrees (CRCs, sizes, descriptors).
    (tmp_path / "package.zip").write_bytes(data)
    if shutil.which("unzip"):
        check = subprocess.run(["unzip", "-tq", str(tmp_path / "package.zip")], capture_output=True, text=True)
        assert check.returncode == 0 and "No errors detected" in check.stdout, check.stdout + check.stderr
    by_name = {i.filename: i for i in z.infolist()}
    folder1 = safe_name(f"{hw.e1.number} {hw.e1.title}")
    assert folder1 == f"{hw.e1.number} =cmd_' _C calc'!A0 春天_的故事"
    e1_files = sorted(n for n in by_name if n.startswith(folder1 + "/"))
    assert e1_files == sorted([f"{folder1}/photo.png", f"{folder1}/第二张 照片_原图.png",
                               f"{folder1}/推荐表 {hw.e1.number}.xlsx", f"{folder1}/推荐表 {hw.e1.number}.pdf"])
    for link in hw.e1.file_links.select_related("media"):
        # Each file as its copy without metadata (made once, kept in storage), never the original.
        name = f"{folder1}/{safe_name(link.media.filename)}"
        with stripping.stripped_copy(link.media).open() as fh:
            assert z.read(name) == fh.read()
        assert by_name[name].compress_type == zipfile.ZIP_STORED
    assert by_name[f"{folder1}/推荐表 {hw.e1.number}.xlsx"].compress_type == zipfile.ZIP_DEFLATED
    # Every city's entries, in number order, with the summary at the root.
    folders = sorted({n.split("/")[0] for n in by_name if "/" in n})
    assert [x.split(" ")[0] for x in folders] == sorted([hw.e1.number, hw.e2.number, hw.e3.number])
    rows = xlsx_rows(z.read("汇总表.xlsx"))
    assert [row[1] for row in rows[4:]] == sorted([hw.e1.number, hw.e2.number, hw.e3.number])
    phone = hw.e1.contact_phone
    assert phone not in data.decode("latin-1") and f"{phone[:3]}****{phone[-4:]}" in rows[4][6]
    assert "江城夜色" in {row[3] for row in rows[4:]}
    # UTF-8 flag (bit 11) on every non-ASCII name: Windows Explorer shows them in Chinese.
    assert all(i.flag_bits & 0x800 for i in z.infolist())
    pdf = z.read(f"{folder1}/推荐表 {hw.e1.number}.pdf")
    assert hw.e1.number in pdf_text(pdf, tmp_path)
    # The copies' CRC-32 recorded while streaming: a resume skips them.
    copies = [stripping.stripped_copy(m) for m in MediaFile.objects.filter(entry_link__entry__track=rw.track)]
    assert len(copies) == 4
    assert {(c.name, c.size) for c in copies} == set(CleanChecksum.objects.values_list("name", "size"))
    assert AuditLog.objects.filter(action="host.package").count() == 1
    # Filtered by city and by batch.
    r = client.get(reverse("reporting:host_package", args=[rw.track.pk]) + f"?city={hw.wuhu.pk}")
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert {n.split("/")[0].split(" ")[0] for n in z.namelist() if "/" in n} == {hw.e3.number}
    r = client.get(reverse("reporting:host_package", args=[rw.track.pk]) + f"?batch={hw.b_tl.pk}")
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert {n.split("/")[0].split(" ")[0] for n in z.namelist() if "/" in n} == {hw.e1.number, hw.e2.number}


def test_package_is_stable_and_ranges(client, hw):
    rw = hw.rw
    url = reverse("reporting:host_package", args=[rw.track.pk])
    client.force_login(rw.host_staff)
    r = client.get(url)
    whole, etag = b"".join(r.streaming_content), r["ETag"]
    rendered = RenderedFile.objects.count()
    again = client.get(url)
    assert again["ETag"] == etag and b"".join(again.streaming_content) == whole
    assert RenderedFile.objects.count() == rendered  # nothing rendered again
    n = len(whole)
    parts, step = [], n // 5 + 1
    for start in range(0, n, step):
        end = min(start + step, n) - 1
        r = client.get(url, HTTP_RANGE=f"bytes={start}-{end}", HTTP_IF_RANGE=etag)
        assert r.status_code == 206 and r["Content-Range"] == f"bytes {start}-{end}/{n}"
        body = b"".join(r.streaming_content)
        assert len(body) == int(r["Content-Length"]) == end - start + 1
        parts.append(body)
    assert b"".join(parts) == whole
    r = client.get(url, HTTP_RANGE="bytes=-100")
    assert r.status_code == 206 and b"".join(r.streaming_content) == whole[-100:]
    r = client.get(url, HTTP_RANGE="bytes=1000-")
    assert r.status_code == 206 and b"".join(r.streaming_content) == whole[1000:]
    # Resuming without the recorded checksums (they are read once, then known again).
    MediaChecksum.objects.all().delete()
    CleanChecksum.objects.all().delete()
    r = client.get(url, HTTP_RANGE=f"bytes={n - 5000}-")
    assert b"".join(r.streaming_content) == whole[-5000:]
    r = client.get(url, HTTP_RANGE=f"bytes={n}-")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{n}"
    assert client.get(url, HTTP_RANGE="bytes=-0").status_code == 416
    # A stale validator, a malformed or a multiple range: the whole package.
    for headers in ({"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": '"old"'}, {"HTTP_RANGE": "bytes=x-y"},
                    {"HTTP_RANGE": "bytes=0-1,5-9"}, {"HTTP_RANGE": "items=0-9"}):
        r = client.get(url, **headers)
        assert r.status_code == 200 and int(r["Content-Length"]) == n
        assert len(b"".join(r.streaming_content)) == n
    # A change of the data (an opinion) renders that form again: a new ETag.
    UnitOpinion.objects.filter(entry=hw.e2).delete()
    UnitOpinion.objects.create(entry=hw.e2, level=rw.tree["city"], text="市级推荐")
    r = client.get(url)
    assert r["ETag"] != etag
    b"".join(r.streaming_content)


def test_host_page_lists_and_filters(client, hw, django_assert_max_num_queries):
    rw = hw.rw
    client.force_login(rw.host_staff)
    url = reverse("reporting:host_track", args=[rw.track.pk])
    with django_assert_max_num_queries(14):
        r = client.get(url)
    page = r.content.decode()
    assert r.status_code == 200
    for e in (hw.e1, hw.e2, hw.e3):
        assert e.number in page
    assert reverse("reporting:host_package", args=[rw.track.pk]) in page
    page = client.get(url, {"city": hw.wuhu.pk}).content.decode()
    assert hw.e3.number in page and hw.e1.number not in page
    page = client.get(url, {"batch": hw.b_tl.pk}).content.decode()
    assert hw.e1.number in page and hw.e3.number not in page
    r = client.get(reverse("reporting:host_index"))
    assert r.status_code == 200 and rw.track.name in r.content.decode()
    # Keyset pages of the API: 2 + 1.
    r = client.get(f"/api/reporting/host/{rw.track.pk}/entries?limit=2")
    body = r.json()
    assert [x["number"] for x in body["items"]] == sorted([hw.e1.number, hw.e2.number, hw.e3.number])[:2]
    assert {c["name"] for c in body["cities"]} == {"铜陵市总工会", "芜湖市总工会"}
    r = client.get(f"/api/reporting/host/{rw.track.pk}/entries?limit=2&after={body['next_after']}")
    assert len(r.json()["items"]) == 1 and r.json()["next_after"] is None
    assert [t["id"] for t in client.get("/api/reporting/host/tracks").json()] == [rw.track.pk]
    assert "报送给承办单位的作品" in client.get("/hub/").content.decode()


def test_isolation_pages(client, hw):
    rw = hw.rw
    e1 = hw.e1
    batch_urls = [reverse("reporting:batch_form", args=[hw.b_ya1.pk, e1.pk, "xlsx"]),
                  reverse("reporting:batch_form", args=[hw.b_ya1.pk, e1.pk, "pdf"]),
                  reverse("reporting:batch_forms_zip", args=[hw.b_ya1.pk]),
                  reverse("reporting:batch_summary_pdf", args=[hw.b_ya1.pk])]
    host_urls = [reverse("reporting:host_track", args=[rw.track.pk]),
                 reverse("reporting:host_package", args=[rw.track.pk]),
                 reverse("reporting:host_form", args=[rw.track.pk, e1.pk, "xlsx"])]
    for url in batch_urls + host_urls + [reverse("reporting:host_index")]:
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"], url
    # Another county's admin (郊区): nothing of 义安区's.
    client.force_login(rw.jiao_admin)
    for url in batch_urls + host_urls:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("reporting:host_index")).status_code == 403
    # 芜湖's admin does not get 铜陵's batch (nor its entry through Wuhu's batch).
    client.force_login(hw.wuhu_admin)
    assert client.get(batch_urls[0]).status_code == 404
    assert client.get(reverse("reporting:batch_form", args=[hw.b_wh1.pk, e1.pk, "xlsx"])).status_code == 404
    # A worker.
    client.force_login(rw.worker)
    assert client.get(host_urls[0]).status_code == 404 and client.get(batch_urls[2]).status_code == 404
    # The host of another track gets nothing of this one.
    other_host = f.user()
    f.grant(other_host, CampaignRole.HOST_STAFF, track=rw.other_track)
    client.force_login(other_host)
    for url in host_urls:
        assert client.get(url).status_code == 404, url
    r = client.get(reverse("reporting:host_track", args=[rw.other_track.pk]))
    assert r.status_code == 200 and e1.number not in r.content.decode()
    r = client.get(reverse("reporting:host_package", args=[rw.other_track.pk]))
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert z.namelist() == ["汇总表.xlsx"]
    # The campaign's admin is at the top too: every track of the campaign.
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=rw.campaign)
    client.force_login(admin)
    r = client.get(host_urls[0])
    assert r.status_code == 200 and e1.number in r.content.decode()
    assert {t.name for t in r.context["cities"]} == {"铜陵市总工会", "芜湖市总工会"}
    # A unit admin of the host unit is no host staff.
    client.force_login(f.unit_admin(rw.host))
    assert client.get(host_urls[0]).status_code == 404
    # Wrong method.
    client.force_login(rw.host_staff)
    for url in host_urls + [reverse("reporting:host_index")]:
        assert client.post(url).status_code == 405, url
    client.force_login(rw.yian_admin)
    for url in batch_urls:
        assert client.post(url).status_code == 405, url
    # A batch's form is only for the batch's entries.
    assert client.get(reverse("reporting:batch_form", args=[hw.b_ya1.pk, hw.e3.pk, "xlsx"])).status_code == 404


def test_isolation_api(client, hw):
    rw = hw.rw
    e1 = hw.e1
    batch_urls = [f"/api/reporting/batches/{hw.b_ya1.pk}/forms/{e1.pk}/xlsx",
                  f"/api/reporting/batches/{hw.b_ya1.pk}/forms/{e1.pk}/pdf",
                  f"/api/reporting/batches/{hw.b_ya1.pk}/forms.zip",
                  f"/api/reporting/batches/{hw.b_ya1.pk}/summary.pdf"]
    host_urls = [f"/api/reporting/host/{rw.track.pk}/entries", f"/api/reporting/host/{rw.track.pk}/package.zip"]
    for url in batch_urls + host_urls + ["/api/reporting/host/tracks"]:
        assert client.get(url).status_code == 401, url
    client.force_login(rw.jiao_admin)
    for url in batch_urls + host_urls:
        assert client.get(url).status_code == 404, url
    assert client.get("/api/reporting/host/tracks").json() == []
    client.force_login(rw.host_staff)
    for url in host_urls:
        assert client.post(url).status_code == 405, url
    r = client.get(host_urls[1], HTTP_RANGE="bytes=0-99")
    assert r.status_code == 206 and len(b"".join(r.streaming_content)) == 100
    assert client.get(f"/api/reporting/batches/{hw.b_tl.pk}/forms/{e1.pk}/doc").status_code == 422
    client.force_login(rw.yian_admin)
    r = client.get(batch_urls[0])
    assert r.status_code == 200 and xlsx_rows(r.content)[2][1] == e1.number
    r = client.get(batch_urls[2])
    assert zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content))).testzip() is None
    assert client.get(batch_urls[3]).content.startswith(b"%PDF")


def test_safe_names():
    assert safe_name('a/b\\c:d*e?f"g<h>i|j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_name("CON.txt") == "_CON.txt" and safe_name("  ..  ") == "file"
    assert safe_name("作品" * 100 + ".mp4") == "作品" * 38 + ".mp4"
    assert safe_name("报告.") == "报告" and safe_name("x.tar.gz") == "x.tar.gz"


def test_batch_page_links_forms_for_the_receiver(client, hw):
    rw = hw.rw
    client.force_login(rw.yian_admin)
    page = client.get(reverse("reporting:batch", args=[hw.b_ya1.pk])).content.decode()
    assert reverse("reporting:batch_forms_zip", args=[hw.b_ya1.pk]) in page
    assert reverse("reporting:batch_form", args=[hw.b_ya1.pk, hw.e1.pk, "pdf"]) in page
    assert f"level={rw.tree['yian'].pk}" in page  # vet them in the queue
    assert Batch.objects.get(pk=hw.b_ya1.pk).status == "sent"
    assert hw.e1.status == EntryStatus.REPORTED


def test_forms_rendered_when_entries_reach_the_host(client, rw, django_capture_on_commit_callbacks):
    """Reporting to the host renders the entry's forms (the host's view: phone masked, Chinese) in a
    background task, so the host's first package download does not wait for them."""
    e = rw.submitted(title="提前生成")
    t = rw.tree
    for admin, level in ((rw.ya1_admin, t["ya1"]), (rw.yian_admin, t["yian"])):
        report(admin, level, [e], rw.track)
    assert not RenderedFile.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        report(rw.city_admin, t["city"], [e], rw.track)
    keys = set(RenderedFile.objects.values_list("key", flat=True))
    assert keys == {f"form:{e.pk}:masked:zh-hans:xlsx", f"form:{e.pk}:masked:zh-hans:pdf"}
    client.force_login(rw.host_staff)
    r = client.get(reverse("reporting:host_package", args=[rw.track.pk]))
    z = zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))
    assert len(z.namelist()) == 4  # photo, two forms, summary
    assert set(RenderedFile.objects.values_list("key", flat=True)) - keys == {
        k for k in RenderedFile.objects.values_list("key", flat=True) if k.startswith("summary:")}
