"""The batch import of entries on behalf of workers: template, upload, per-row check (preview),
all-or-nothing apply, the zip's Chinese names, zip bombs and path traversal, API, clean-up."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories as f
from zhengji.common.models import AuditLog
from zhengji.entries.models import Entry, EntryStatus, TrackCounter
from zhengji.media.models import MediaFile
from zhengji.reporting import imports, views_onbehalf
from zhengji.reporting.archive import Archive, ArchiveRefused, decode_name
from zhengji.reporting.models import ChainPosition, EntryImport, ImportRow, ImportStatus, OnBehalf

from .onbehalf_helpers import HEADER, photos, row, sheet_bytes, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.REPORTING_IMPORT_DIR = str(tmp_path / "imports")


def upload(client, rw, rows, files=None, *, gbk=True, archive=None, user=None):
    client.force_login(user or rw.yian_admin)
    data = {"track": rw.track.pk,
            "sheet": SimpleUploadedFile("作品清单.xlsx", sheet_bytes(rows)),
            "archive": SimpleUploadedFile("作品文件.zip", archive if archive is not None
                                          else zip_bytes(files or {}, gbk=gbk))}
    r = client.post(reverse("reporting:import_start"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    return EntryImport.objects.latest("pk"), r


GOOD = [row(title="夕阳下的工地", worker="王师傅", phone="13900001111", photos="工地.png"),
        row(title="车间的早晨", worker="李师傅", phone="13900002222", unit="义安区某学校工会", photos="照片/车间.png"),
        row(title="巡线", worker="赵师傅", phone="13900003333", photos="巡线一.png;巡线二.png")]
GOOD_FILES = photos("工地.png", "照片/车间.png", "巡线一.png", "巡线二.png")


def test_template_has_the_tracks_columns(client, rw):
    client.force_login(rw.yian_admin)
    r = client.get(reverse("reporting:import_template", args=[rw.track.pk]))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    header = [c for c in next(wb.worksheets[0].iter_rows(values_only=True)) if c]
    assert any("创作说明" in h for h in header) and any("照片" in h for h in header)
    assert any(h.endswith("*") for h in header)
    assert len(wb.worksheets) == 2
    # Who may not: a worker, anonymous.
    client.force_login(rw.worker)
    assert client.get(reverse("reporting:import_template", args=[rw.track.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("reporting:import_template", args=[rw.track.pk])).status_code == 302


def test_good_rows_preview_then_apply_all(client, rw):
    imp, r = upload(client, rw, GOOD, GOOD_FILES)
    assert imp.status == ImportStatus.READY, imp.message
    assert imp.total_rows == 3 and imp.bad_rows == 0
    page = client.get(r["Location"])
    assert page.status_code == 200 and "车间的早晨" in page.content.decode()
    # Applying needs the pledge on the workers' behalf.
    r = client.post(reverse("reporting:import_apply", args=[imp.pk]))
    imp.refresh_from_db()
    assert imp.status == ImportStatus.READY and not Entry.objects.exists()
    r = client.post(reverse("reporting:import_apply", args=[imp.pk]), {"pledge": "on"})
    assert r.status_code == 302
    imp.refresh_from_db()
    assert imp.status == ImportStatus.APPLIED, imp.message
    assert imp.created_entries == 3
    entries = list(Entry.objects.order_by("number"))
    assert [e.status for e in entries] == [EntryStatus.SUBMITTED] * 3
    assert all(e.number for e in entries) and all(e.submitter_id == rw.yian_admin.pk for e in entries)
    by_title = {e.title: e for e in entries}
    assert by_title["车间的早晨"].unit == rw.tree["ya2"]
    assert by_title["巡线"].file_links.count() == 2
    ob = OnBehalf.objects.get(entry=by_title["巡线"])
    assert (ob.worker_name, ob.phone, ob.source_id, ob.pledged_by_id) == ("赵师傅", "13900003333", imp.pk,
                                                                          rw.yian_admin.pk)
    assert ob.source_row == 4
    assert ChainPosition.objects.filter(entry__in=entries, level=rw.tree["ya1"]).count() == 2
    assert MediaFile.objects.filter(owner=rw.yian_admin).count() == 4
    assert set(MediaFile.objects.values_list("filename", flat=True)) == {"工地.png", "车间.png", "巡线一.png",
                                                                       "巡线二.png"}
    assert AuditLog.objects.filter(action="entry.on_behalf").count() == 3
    assert AuditLog.objects.filter(action="entries.import_applied").count() == 1
    # Applying twice does nothing more.
    r = client.post(reverse("reporting:import_apply", args=[imp.pk]), {"pledge": "on"})
    assert Entry.objects.count() == 3
    # The stored upload is gone once applied.
    imp.refresh_from_db()
    assert imp.files_removed and not imports.storage().exists(imp.sheet_key)


def test_bad_rows_change_nothing_and_each_is_named(client, rw):
    other = f.org("外市某工会", "grassroots", rw.host, code="AH-XC-01")
    rows = [
        row(title="好的一行", phone="13900001111", photos="工地.png"),                            # 2: fine
        row(title="", phone="13900002222", photos="工地2.png"),                                # 3: no title
        row(title="号码不对", phone="12345", photos="工地3.png"),                                # 4: bad phone
        row(title="单位不明", phone="13900004444", unit="不存在的工会", photos="工地4.png"),             # 5
        row(title="别的区", phone="13900005555", unit="AH-TL-JQ-01", photos="工地5.png"),          # 6: outside
        row(title="缺文件", phone="13900006666", photos="没有这个.png"),                            # 7
        row(title="假图片", phone="13900007777", photos="假的.png"),                               # 8: type
        row(title="好的一行", phone="13900001111", photos="工地6.png"),                            # 9: duplicate
        row(title="外市", phone="13900008888", unit=other.code, photos="工地7.png"),               # 10: outside
    ]
    files = {**photos("工地.png", "工地2.png", "工地3.png", "工地4.png", "工地5.png", "工地6.png", "工地7.png"),
             "假的.png": b"this is not a picture at all"}
    imp, r = upload(client, rw, rows, files)
    assert imp.status == ImportStatus.INVALID
    assert imp.total_rows == 9 and imp.bad_rows == 8
    errors = {ir.row: ir.errors for ir in ImportRow.objects.filter(source=imp)}
    assert errors[2] == []

    def said(n, *words):
        text = " ".join(f"{e['column']}: {e['message']}" for e in errors[n])
        return all(w in text for w in words)

    assert len(errors[3]) == 1 and errors[3][0]["column"] == imports.columns_for(rw.track, [])[0].header
    assert said(4, "12345") and said(5, "不存在的工会") and said(6, "郊区某厂工会") and said(7, "没有这个.png")
    assert said(8, "假的.png") and said(9, "2") and said(10, "外市某工会")
    # The preview names each bad row (row + reason) in Chinese.
    body = client.get(r["Location"] + "?show=bad").content.decode()
    for n in (3, 4, 5, 6, 7, 8, 9, 10):
        assert f'data-row="{n}"' in body
    assert 'data-row="2"' not in body
    assert "不存在的工会" in body and "没有这个.png" in body
    # Nothing can be applied; nothing was created.
    counter_before = list(TrackCounter.objects.values_list("last", flat=True))
    r = client.post(reverse("reporting:import_apply", args=[imp.pk]), {"pledge": "on"})
    imp.refresh_from_db()
    assert imp.status == ImportStatus.INVALID
    assert not Entry.objects.exists() and not OnBehalf.objects.exists() and not MediaFile.objects.exists()
    assert list(TrackCounter.objects.values_list("last", flat=True)) == counter_before


def test_failure_at_apply_leaves_nothing(client, rw, settings):
    imp, _r = upload(client, rw, GOOD, GOOD_FILES)
    assert imp.status == ImportStatus.READY
    # The third row's second file disappears from the stored zip after the check.
    st = imports.storage()
    with st.open(imp.archive_key, "wb") as fh:
        fh.write(zip_bytes({k: v for k, v in GOOD_FILES.items() if k != "巡线二.png"}))
    media_dir = settings.MEDIA_ROOT / "originals"
    r = client.post(reverse("reporting:import_apply", args=[imp.pk]), {"pledge": "on"})
    assert r.status_code == 302
    imp.refresh_from_db()
    assert imp.status == ImportStatus.FAILED
    assert "4" in imp.message and "巡线二.png" in imp.message
    assert not Entry.objects.exists() and not OnBehalf.objects.exists() and not MediaFile.objects.exists()
    assert not TrackCounter.objects.filter(last__gt=0).exists()
    stored = [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []
    assert stored == []


def test_chinese_names_from_a_windows_zip_decode_right():
    data = zip_bytes(photos("照片/夕阳下的工地.png", "车间.png"), gbk=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert all(not i.flag_bits & 0x800 for i in infos)  # really written without the UTF-8 flag
        assert infos[0].filename != "照片/夕阳下的工地.png"  # zipfile alone gets it wrong (CP437)
    archive = Archive(io.BytesIO(data))
    assert set(archive.members) == {"照片/夕阳下的工地.png", "车间.png"}
    assert archive.find("夕阳下的工地.png").path == "照片/夕阳下的工地.png"
    with archive.extracted(archive.find("车间.png")) as tmp:
        assert tmp.read_bytes().startswith(b"\x89PNG")
    # With the flag set, UTF-8 names are taken as they are.
    utf8 = Archive(io.BytesIO(zip_bytes(photos("工地.png"), gbk=False)))
    assert set(utf8.members) == {"工地.png"}


def test_zip_bomb_refused(client, rw):
    bomb = zip_bytes({"工地.png": b"\0" * (8 * 1024 * 1024)})
    with pytest.raises(ArchiveRefused):
        Archive(io.BytesIO(bomb))
    imp, _r = upload(client, rw, GOOD[:1], archive=bomb)
    assert imp.status == ImportStatus.INVALID and "工地.png" in imp.message
    assert not ImportRow.objects.filter(source=imp).exists()


@pytest.mark.parametrize("name", ["../evil.png", "/etc/evil.png", "a/../../evil.png", "C:\\evil.png"])
def test_path_traversal_refused(client, rw, name):
    data = zip_bytes({"工地.png": photos("x.png")["x.png"], name: b"x"}, gbk=False)
    with pytest.raises(ArchiveRefused):
        Archive(io.BytesIO(data))
    imp, _r = upload(client, rw, GOOD[:1], archive=data)
    assert imp.status == ImportStatus.INVALID and "evil.png" in imp.message


def test_bad_uploads_are_refused_with_a_message(client, rw):
    client.force_login(rw.yian_admin)
    r = client.post(reverse("reporting:import_start"), {"track": rw.track.pk,
                                                        "sheet": SimpleUploadedFile("a.csv", b"x")})
    assert r.status_code == 400 and ".xlsx" in r.content.decode()
    r = client.post(reverse("reporting:import_start"), {"track": rw.track.pk,
                                                        "sheet": SimpleUploadedFile("a.xlsx", b"not a workbook"),
                                                        "archive": SimpleUploadedFile("a.rar", b"x")})
    assert r.status_code == 400
    r = client.post(reverse("reporting:import_start"), {"track": 99999})
    assert r.status_code == 400
    # An unreadable workbook, a missing column, an empty sheet: the import says why.
    imp, _r = upload(client, rw, [], archive=b"")
    assert imp.status == ImportStatus.INVALID and imp.message
    client.post(reverse("reporting:import_start"), {"track": rw.track.pk, "sheet": SimpleUploadedFile(
        "b.xlsx", sheet_bytes([["x"]], header=["作品名称"]))})
    imp = EntryImport.objects.latest("pk")
    assert imp.status == ImportStatus.INVALID and "手机号" in imp.message or "Mobile" in imp.message
    client.post(reverse("reporting:import_start"), {"track": rw.track.pk, "sheet": SimpleUploadedFile(
        "c.xlsx", b"PK not really")})
    imp = EntryImport.objects.latest("pk")
    assert imp.status == ImportStatus.INVALID and imp.message


def test_import_pages_permissions(client, rw):
    imp, r = upload(client, rw, GOOD, GOOD_FILES)
    url = reverse("reporting:import", args=[imp.pk])
    apply_url = reverse("reporting:import_apply", args=[imp.pk])
    client.force_login(rw.jiao_admin)  # another admin: not theirs
    assert client.get(url).status_code == 404
    assert client.post(apply_url, {"pledge": "on"}).status_code == 404
    client.force_login(rw.worker)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reporting:import_start")).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(rw.yian_admin)
    assert client.get(apply_url).status_code == 405
    assert client.get(reverse("reporting:import_start")).status_code == 200
    imp.refresh_from_db()
    assert imp.status == ImportStatus.READY


def test_api_import_upload_status_apply(client, rw):
    client.force_login(rw.yian_admin)
    r = client.post("/api/reporting/imports", {"track": rw.track.pk,
                                               "sheet": SimpleUploadedFile("s.xlsx", sheet_bytes(GOOD)),
                                               "archive": SimpleUploadedFile("f.zip", zip_bytes(GOOD_FILES))})
    assert r.status_code == 201, r.content
    imp_id = r.json()["id"]
    assert r.json()["status"] == "ready", (r.json(), list(ImportRow.objects.values_list("errors", flat=True)))
    r = client.get(f"/api/reporting/imports/{imp_id}?limit=2")
    body = r.json()
    assert r.status_code == 200 and len(body["rows"]) == 2 and body["next_after"] == 3
    r = client.post(f"/api/reporting/imports/{imp_id}/apply", {"pledge": False}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "pledge_required"
    r = client.post(f"/api/reporting/imports/{imp_id}/apply", {"pledge": True}, content_type="application/json")
    assert r.status_code == 202 and r.json()["status"] == "applied" and r.json()["created_entries"] == 3
    r = client.post(f"/api/reporting/imports/{imp_id}/apply", {"pledge": True}, content_type="application/json")
    assert r.status_code == 409
    r = client.get(f"/api/reporting/imports/template?track={rw.track.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    # Someone else's import, a worker, anonymous.
    client.force_login(rw.jiao_admin)
    assert client.get(f"/api/reporting/imports/{imp_id}").status_code == 404
    client.force_login(rw.worker)
    assert client.get(f"/api/reporting/imports/{imp_id}").status_code == 403
    assert client.post("/api/reporting/imports", {"track": rw.track.pk}).status_code in (403, 422)
    client.logout()
    assert client.get(f"/api/reporting/imports/{imp_id}").status_code == 401


def test_api_bad_rows_listed(client, rw):
    client.force_login(rw.yian_admin)
    rows = [row(title="甲"), row(title="乙", phone="1", photos="无.png")]
    r = client.post("/api/reporting/imports", {"track": rw.track.pk,
                                               "sheet": SimpleUploadedFile("s.xlsx", sheet_bytes(rows)),
                                               "archive": SimpleUploadedFile("f.zip", zip_bytes(photos("工地.png")))})
    assert r.status_code == 201 and r.json()["status"] == "invalid" and r.json()["bad_rows"] == 1
    body = client.get(f"/api/reporting/imports/{r.json()['id']}?only_errors=true").json()
    assert [x["row"] for x in body["rows"]] == [3]
    assert len(body["rows"][0]["errors"]) == 2
    r = client.post(f"/api/reporting/imports/{body['id']}/apply", {"pledge": True}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "not_ready"
    assert not Entry.objects.exists()


def test_cleanup_removes_old_uploads(client, rw):
    imp, _r = upload(client, rw, GOOD, GOOD_FILES)
    st = imports.storage()
    assert st.exists(imp.sheet_key) and st.exists(imp.archive_key)
    assert imports.cleanup() == 0
    EntryImport.objects.filter(pk=imp.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    assert imports.cleanup() == 1
    imp.refresh_from_db()
    assert imp.files_removed and not st.exists(imp.sheet_key) and not st.exists(imp.archive_key)
    r = client.post(reverse("reporting:import_apply", args=[imp.pk]), {"pledge": "on"})
    assert r.status_code == 302 and not Entry.objects.exists()


def test_header_aliases_and_template_round_trip(rw):
    fields = imports.entry_services.track_fields(rw.track)
    cols = imports.columns_for(rw.track, fields)
    lookup = imports.header_lookup(cols)
    for h in HEADER:
        assert imports._norm_header(h) in lookup, h
    assert lookup[imports._norm_header(cols[0].header + " *")] == "title"


def test_preview_is_paged_with_a_fixed_number_of_queries(client, rw, monkeypatch, django_assert_max_num_queries):
    rows = [row(title=f"作品{i}", phone=f"139000{i:05d}", photos="无.png") for i in range(7)]
    imp, r = upload(client, rw, rows, photos("工地.png"))
    assert imp.bad_rows == 7
    monkeypatch.setattr(views_onbehalf, "PAGE", 3)
    with django_assert_max_num_queries(10):
        page = client.get(r["Location"]).content.decode()
    assert page.count('data-row="') == 3 and "?after=4" in page
    with django_assert_max_num_queries(10):
        page = client.get(r["Location"] + "?show=bad&after=4").content.decode()
    assert 'data-row="5"' in page and 'data-row="4"' not in page and "after=7" in page


def test_every_kind_of_row_error(client, rw, settings):
    settings.ENTRIES_SUMMARY_MAX_WORDS = 8
    settings.ENTRIES_MAX_AUTHORS = 2
    f.org("重名工会", "grassroots", rw.tree["yian"], code="AH-TL-YA-08")
    f.org("重名工会", "grassroots", rw.tree["yian"], code="AH-TL-YA-09")
    rows = [
        row(title="甲" * 201, photos="p1.png"),                                                      # 2
        row(title="简介太长", **{"作品简介": "一二三四五六七八九十一二"}, phone="13900000003", photos="p2.png"),  # 3
        row(title="名字太长", worker="王" * 61, phone="13900000004", photos="p3.png"),                 # 4
        row(title="无号码", phone="", photos="p4.png"),                                              # 5
        row(title="无单位", unit="", phone="13900000006", photos="p5.png"),                          # 6
        row(title="作者多", phone="13900000007", photos="p6.png", **{"作者": "甲、乙、丙"}),             # 7
        row(title="作者名长", phone="13900000008", photos="p7.png", **{"作者": "甲" * 61}),           # 8
        row(title="时长不对", phone="13900000009", photos="p8.png", **{"时长": "abc"}),                # 9
        row(title="文件太多", phone="13900000010", photos="p9.png;p10.png;p11.png"),                # 10
        row(title="没有文件", phone="13900000011", photos=""),                                       # 11
        row(title="文件重复", phone="13900000012", photos="p1.png"),                                 # 12
        row(title="同名文件", phone="13900000013", photos="同名.png"),                                # 13
        row(title="重名单位", phone="13900000014", unit="重名工会", photos="p12.png"),                  # 14
        row(title="好的", phone="+86 139-0000-0015", unit="义安区某公司工会", photos="p13.png",
            **{"类别": "乙", "作者": "甲、乙"}),                                                       # 15
    ]
    names = [f"p{i}.png" for i in range(1, 14)]
    files = {**photos(*names), **photos("a/同名.png", "b/同名.png")}
    imp, _r = upload(client, rw, rows, files)
    errors = {ir.row: " ".join(e["message"] for e in ir.errors) for ir in ImportRow.objects.filter(source=imp)}
    assert errors[2] and errors[3] and errors[4] and errors[5] and errors[6]
    assert "2" in errors[7] and "60" in errors[8] and errors[9]
    assert "2" in errors[10] and "1" in errors[11] and "2" in errors[12] and "同名.png" in errors[13]
    assert "重名工会" in errors[14]
    assert errors[15] == ""
    good = ImportRow.objects.get(source=imp, row=15)
    assert good.values["phone"] == "13900000015" and good.values["data"]["genre"] == "b"
    assert good.values["authors"] == ["甲", "乙"] and good.values["unit"] == rw.tree["ya1"].pk
    assert imp.bad_rows == 13


def test_no_zip_and_too_many_rows(client, rw, settings):
    client.force_login(rw.yian_admin)
    client.post(reverse("reporting:import_start"), {"track": rw.track.pk, "sheet": SimpleUploadedFile(
        "s.xlsx", sheet_bytes(GOOD[:1]))})
    imp = EntryImport.objects.latest("pk")
    assert imp.status == ImportStatus.INVALID and not imp.archive_key
    message = ImportRow.objects.get(source=imp).errors[0]["message"]
    assert "压缩包" in message or "zip" in message
    settings.REPORTING_IMPORT_MAX_ROWS = 2
    imp, _r = upload(client, rw, GOOD, GOOD_FILES)
    assert imp.status == ImportStatus.INVALID and "2" in imp.message and imp.total_rows == 0


def test_individual_track_takes_one_author_and_unit_tracks_are_refused(client, rw):
    client.force_login(rw.yian_admin)
    rows = [row(title="两人", **{"作者": "甲、乙"})]
    r = client.post(reverse("reporting:import_start"), {
        "track": rw.other_track.pk, "sheet": SimpleUploadedFile("s.xlsx", sheet_bytes(rows)),
        "archive": SimpleUploadedFile("f.zip", zip_bytes(photos("工地.png")))})
    assert r.status_code == 302
    imp = EntryImport.objects.latest("pk")
    assert ImportRow.objects.get(source=imp).errors
    unit_track = f.track(rw.campaign, rw.host, number=9, slug="t9", entrant_types=["unit"])
    with pytest.raises(imports.DomainError):
        imports.upload(rw.yian_admin, unit_track, SimpleUploadedFile("s.xlsx", b"x"), None)
    with pytest.raises(imports.NotPermitted):
        imports.upload(rw.worker, rw.track, SimpleUploadedFile("s.xlsx", b"x"), None)
    with pytest.raises(imports.DomainError):
        imports.upload(rw.yian_admin, rw.track, None, None)


def test_archive_limits(settings):
    data = zip_bytes(photos("一.png", "二.png"))
    settings.REPORTING_IMPORT_MAX_MEMBERS = 1
    with pytest.raises(ArchiveRefused):
        Archive(io.BytesIO(data))
    settings.REPORTING_IMPORT_MAX_MEMBERS = 10
    settings.REPORTING_IMPORT_MAX_MEMBER_BYTES = 10
    with pytest.raises(ArchiveRefused):
        Archive(io.BytesIO(data))
    settings.REPORTING_IMPORT_MAX_MEMBER_BYTES = 10 ** 9
    settings.REPORTING_IMPORT_MAX_TOTAL_BYTES = 100
    with pytest.raises(ArchiveRefused):
        Archive(io.BytesIO(data))
    with pytest.raises(ArchiveRefused):
        Archive(io.BytesIO(b"not a zip"))


class RawNameZipInfo(zipfile.ZipInfo):
    """A member name written as the given bytes, without the UTF-8 flag."""

    raw = b""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's own name)
        return self.raw, self.flag_bits & ~0x800


def test_archive_names_without_flag_fall_back():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # UTF-8 bytes without the flag (some tools write that): not valid GBK here, so read as UTF-8.
        for n, (raw, data) in enumerate((("工地.png".encode(), b"a"), (b"\xff\xfe.png", b"c"))):
            info = RawNameZipInfo(f"x{n}")
            info.raw = raw
            zf.writestr(info, data)
        zf.writestr("secret.png", b"b")
    data = bytearray(buf.getvalue())
    # Mark the last member as encrypted in the central directory (zipfile cannot write that).
    at = data.rindex(b"PK\x01\x02")
    data[at + 8] |= 0x1
    infos = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()
    assert decode_name(infos[0]) in ("工地.png", "宸ュ湴.png")  # GB18030 may read UTF-8 bytes too
    assert decode_name(infos[1]).endswith(".png")
    with pytest.raises(ArchiveRefused, match="secret.png"):
        Archive(io.BytesIO(bytes(data)))


def test_a_large_sheet_is_checked_in_chunks(rw, django_assert_max_num_queries):
    """1,200 rows (three chunks): the database is asked per chunk of rows, not per row."""
    rows = [row(title=f"作品{i}", phone=f"139{i:08d}", photos=f"图{i}.png") for i in range(1200)]
    imp = imports.upload(rw.yian_admin, rw.track, SimpleUploadedFile("big.xlsx", sheet_bytes(rows)),
                         SimpleUploadedFile("f.zip", zip_bytes(photos("图0.png"))))
    with django_assert_max_num_queries(60):
        imp = imports.check(imp.pk)
    assert imp.total_rows == 1200 and imp.bad_rows == 1199
    assert ImportRow.objects.filter(source=imp).count() == 1200
