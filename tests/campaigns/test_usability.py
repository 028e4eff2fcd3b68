"""Issue 8 points 3 and 4: the rich-text editor's endpoints and widgets, generated slugs, the host
unit picker and the friendlier form builder (generated keys and option values, options as rows,
values kept, errors in words, preview of the entry form)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories as f
from tests.campaigns.test_views import builder_post, track_post
from zhengji.campaigns import builder, services
from zhengji.campaigns.models import Campaign, Track
from zhengji.common.models import AuditLog

M = "/manage/camp-a"


def png_bytes(w: int = 40, h: int = 30) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def upload(name: str, content: bytes, ctype: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=ctype)


# --- rich text: preview ---------------------------------------------------------------------------

def test_preview_cleans_and_renders_like_the_public_page(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/richtext/preview/", {"html": '<h2>总则</h2><p onclick="x()">一<strong>二</strong></p>'
                                                       '<script>alert(1)</script><ul><li>甲</li></ul>'})
    body = r.content.decode()
    assert r.status_code == 200 and '<div class="rich-text">' in body
    assert "<h2>总则</h2>" in body and "<strong>二</strong>" in body and "<li>甲</li>" in body
    assert "script" not in body and "onclick" not in body
    assert "（空）" in client.post(f"{M}/richtext/preview/", {"html": "<script>x</script>"}).content.decode()


@pytest.mark.parametrize(("who", "status"), [("admin_a", 200), ("host1", 200), ("superuser", 200),
                                             ("admin_b", 403), ("worker", 403), ("yian_admin", 403)])
def test_preview_permissions(world, client, who, status):
    client.force_login(getattr(world, who))
    assert client.post(f"{M}/richtext/preview/", {"html": "<p>x</p>"}).status_code == status


def test_preview_anonymous_and_wrong_method(world, client):
    r = client.post(f"{M}/richtext/preview/", {"html": "<p>x</p>"})
    assert r.status_code == 302 and "/accounts/login" in r["Location"]
    client.force_login(world.admin_a)
    assert client.get(f"{M}/richtext/preview/").status_code == 405


# --- rich text: images and attachments ------------------------------------------------------------

def test_admin_uploads_an_image_that_anyone_can_read(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/richtext/upload/", {"file": upload("海报.png", png_bytes(), "image/png")})
    assert r.status_code == 201
    data = r.json()
    assert data["url"].startswith("/manage/richtext/") and data["url"].endswith(".png") and data["name"] == "海报.png"
    stem = data["url"].rsplit("/", 1)[1]
    assert default_storage.exists(f"richtext/{stem}")
    log = AuditLog.objects.filter(action="campaign.richtext_file").get()
    assert log.after["original_name"] == "海报.png"
    client.logout()
    r = client.get(data["url"])
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == png_bytes() and "attachment" not in r.get("Content-Disposition", "")
    assert "immutable" in r["Cache-Control"]
    assert client.head(data["url"]).status_code == 200
    assert client.post(data["url"]).status_code == 405


def test_image_kind_is_decided_by_content(world, client):
    client.force_login(world.admin_a)
    # A PNG named .jpg is stored as what it is.
    r = client.post(f"{M}/richtext/upload/", {"file": upload("photo.jpg", png_bytes())})
    assert r.status_code == 201 and r.json()["url"].endswith(".png")
    r = client.post(f"{M}/richtext/upload/", {"file": upload("evil.png", b"<html><script>x</script>")})
    assert r.status_code == 400 and "图片" in r.json()["message"]
    r = client.post(f"{M}/richtext/upload/", {})
    assert r.status_code == 400 and r.json()["message"] == "请选择文件。"


def test_attachments_checked_by_magic_bytes(world, client, settings):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("章程.pdf", b"%PDF-1.4\n%...\n")})
    assert r.status_code == 201
    url = r.json()["url"]
    assert url.endswith(".pdf")
    got = client.get(url)
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    assert client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("fake.pdf", b"MZ\x90\x00")}
                       ).status_code == 400
    assert client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("run.exe", b"MZ\x90\x00")}
                       ).status_code == 400
    assert client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("表.docx", b"PK\x03\x04rest")}
                       ).status_code == 201
    assert client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("说明.txt", "纯文本".encode())}
                       ).status_code == 201
    assert client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("bad.txt", b"\xff\xfe\xfa")}
                       ).status_code == 400
    settings.RICHTEXT_FILE_MAX_MB = 0
    r = client.post(f"{M}/richtext/upload/", {"kind": "file", "file": upload("big.pdf", b"%PDF-1.4 big")})
    assert r.status_code == 400 and "MB" in r.json()["message"]
    settings.RICHTEXT_IMAGE_MAX_MB = 0
    assert client.post(f"{M}/richtext/upload/", {"file": upload("a.png", png_bytes())}).status_code == 400


@pytest.mark.parametrize("who", ["host1", "admin_b", "worker", "yian_admin"])
def test_only_campaign_admins_upload(world, client, who):
    client.force_login(getattr(world, who))
    r = client.post(f"{M}/richtext/upload/", {"file": upload("a.png", png_bytes())})
    assert r.status_code == 403
    assert not AuditLog.objects.filter(action="campaign.richtext_file").exists()


def test_upload_anonymous_and_wrong_method(world, client):
    r = client.post(f"{M}/richtext/upload/", {"file": upload("a.png", png_bytes())})
    assert r.status_code == 302
    client.force_login(world.admin_a)
    assert client.get(f"{M}/richtext/upload/").status_code == 405


def test_unknown_richtext_file_is_404(world, client):
    assert client.get("/manage/richtext/" + "0" * 32 + ".png").status_code == 404
    assert client.get("/manage/richtext/" + "0" * 32 + ".exe").status_code == 404


def test_store_richtext_file_refuses_without_permission(world):
    from zhengji.campaigns.richfiles import store_richtext_file
    from zhengji.common.errors import NotPermitted

    with pytest.raises(NotPermitted):
        store_richtext_file(world.worker, world.a, upload("a.png", png_bytes()), kind="image")
    with pytest.raises(NotPermitted):
        store_richtext_file(None, world.a, upload("a.png", png_bytes()), kind="image")


# --- the editor on the pages ---------------------------------------------------------------------

def test_editor_on_track_and_announcement_pages(world, client):
    client.force_login(world.admin_a)
    body = client.get(f"{M}/tracks/songs/").content.decode()
    assert body.count("data-richtext") == 2 and f'data-upload-url="{M}/richtext/upload/"' in body
    assert f'data-preview-url="{M}/richtext/preview/"' in body and "vendor/quill/quill.js" in body
    assert "common/richtext.js" in body and "加粗" in body  # the toolbar's words, in Chinese
    body = client.get(f"{M}/announcements/new/").content.decode()
    assert body.count("data-richtext") == 2 and "data-upload-url" in body
    # Host staff edit the rules with the editor but cannot upload files.
    client.force_login(world.host1)
    body = client.get(f"{M}/tracks/songs/").content.decode()
    assert "data-richtext" in body and "data-upload-url" not in body and "data-preview-url" in body


def test_rules_written_in_the_editor_show_on_the_public_page(world, client):
    client.force_login(world.admin_a)
    rules = '<h2>参赛要求</h2><p>第一段</p><ol><li>原创</li></ol><p><a href="javascript:x()">x</a></p>'
    data = track_post(slug="songs", name="歌曲", host_unit=str(world.tree["yian"].pk))
    r = client.post(f"{M}/tracks/songs/", {**data, "rules": rules})
    assert r.status_code == 302
    world.t1.refresh_from_db()
    assert "javascript" not in world.t1.rules and "<h2>参赛要求</h2>" in world.t1.rules
    body = client.get(f"/c/{world.a.slug}/songs/").content.decode()
    assert "<h2>参赛要求</h2>" in body and "<li>原创</li>" in body


def test_plain_text_rules_keep_their_paragraphs_on_the_public_page(world, client):
    Track.objects.filter(pk=world.t1.pk).update(rules="第一段\n\n第二段")
    body = client.get(f"/c/{world.a.slug}/songs/").content.decode()
    assert "<p>第一段</p>" in body and "<p>第二段</p>" in body


# --- slugs ----------------------------------------------------------------------------------------

def test_track_slug_generated_and_kept(world, client):
    client.force_login(world.admin_a)
    r = client.post(f"{M}/tracks/new/", track_post(slug="", name="摄影"))
    assert r.status_code == 302
    t = Track.objects.get(campaign=world.a, name="摄影")
    assert t.slug == "track-3"
    # Left empty again when editing: the slug stays.
    r = client.post(f"{M}/tracks/track-3/", track_post(slug="", name="摄影作品", number="3"))
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.slug == "track-3" and t.name == "摄影作品"
    # Taken: the next free one.
    Track.objects.filter(pk=world.t2.pk).update(slug="track-4")
    client.post(f"{M}/tracks/new/", track_post(slug="", name="书法"))
    assert Track.objects.get(campaign=world.a, name="书法").slug == "track-4-2"


def test_bad_slug_is_explained_in_chinese(world, client):
    client.force_login(world.admin_a)
    body = client.post(f"{M}/tracks/new/", track_post(slug="歌曲")).content.decode()
    assert "只能使用拉丁字母、数字和连字符" in body and 'value="歌曲"' in body
    body = client.get(f"{M}/tracks/new/").content.decode()
    assert "留空" in body  # the help text says it may be left empty


def test_campaign_slug_generated_from_year(world, client):
    dates = {k: dt.date(2031, 1, 1) + dt.timedelta(days=10 * i) for i, k in enumerate(services.PHASE_DATE_FIELDS)}
    c = services.create_campaign(world.superuser, org=world.tree["city"], name="新活动", year=2031, slug="", **dates)
    assert c.slug == "2031"
    c2 = services.create_campaign(world.superuser, org=world.tree["city"], name="又一个", year=2031, slug="", **dates)
    assert c2.slug == "2031-2"
    services.update_campaign(world.superuser, c2, slug="")
    c2.refresh_from_db()
    assert c2.slug == "2031-2"
    assert services.free_slug("new", lambda s: False) == "new-2"


# --- host unit picker -----------------------------------------------------------------------------

def test_host_unit_picked_by_id_or_typed_name(world, client):
    client.force_login(world.admin_a)
    jiao = world.tree["jiao"]
    r = client.post(f"{M}/tracks/new/", track_post(host_unit=str(jiao.pk), host_unit_q="随便"))
    assert r.status_code == 302 and Track.objects.get(slug="essays").host_unit == jiao
    r = client.post(f"{M}/tracks/new/", track_post(slug="e2", name="二", host_unit="", host_unit_q=jiao.name))
    assert r.status_code == 302 and Track.objects.get(slug="e2").host_unit == jiao
    r = client.post(f"{M}/tracks/new/", track_post(slug="e3", host_unit="", host_unit_q=""))
    assert r.status_code == 200 and "请选择承办单位" in r.content.decode()


def test_host_unit_outside_the_tree_or_ambiguous(world, client):
    client.force_login(world.admin_a)
    other = f.org("外省某工会", code="ZJ-X")
    r = client.post(f"{M}/tracks/new/", track_post(host_unit=str(other.pk)))
    assert r.status_code == 200 and not Track.objects.filter(slug="essays").exists()
    f.org("同名工会", code="DUP-1", parent=world.tree["yian"])
    f.org("同名工会", code="DUP-2", parent=world.tree["jiao"])
    body = client.post(f"{M}/tracks/new/", track_post(host_unit="", host_unit_q="同名工会")).content.decode()
    assert "同名工会" in body and not Track.objects.filter(slug="essays").exists()
    body = client.post(f"{M}/tracks/new/", track_post(host_unit="", host_unit_q="DUP-2 同名工会")).content.decode()
    assert Track.objects.get(slug="essays").host_unit.code == "DUP-2"


def test_edit_page_shows_the_chosen_host_unit(world, client):
    client.force_login(world.admin_a)
    body = client.get(f"{M}/tracks/songs/").content.decode()
    assert f'name="host_unit" value="{world.tree["yian"].pk}"' in body and "data-org-picker" in body
    assert 'value="义安区总工会"' in body


def test_org_search_shows_parent_and_nothing_for_empty(world, client, django_assert_max_num_queries):
    client.force_login(world.admin_a)
    with django_assert_max_num_queries(12):
        body = client.get(f"{M}/orgs/", {"host_unit_q": "义安"}).content.decode()
    assert 'data-org-option="' in body and "铜陵市总工会" in body
    assert "data-org-option" not in client.get(f"{M}/orgs/", {"host_unit_q": ""}).content.decode()
    assert "没有匹配的单位" in client.get(f"{M}/orgs/", {"host_unit_q": "无此单位"}).content.decode()


# --- form builder ---------------------------------------------------------------------------------

def choice_row(label, label_en="", value=""):
    return {"value": value, "label": label, "label_en": label_en}


def post_rows(rows, action="save"):
    """builder_post, with choice rows posted as f-<i>-c-<j>-<attr>."""
    data = builder_post([{k: v for k, v in r.items() if k != "choice_rows"} for r in rows], action)
    for i, r in enumerate(rows):
        choices = r.get("choice_rows", [])
        data[f"f-{i}-ccount"] = str(len(choices))
        for j, c in enumerate(choices):
            for k, v in c.items():
                data[f"f-{i}-c-{j}-{k}"] = v
    return data


def test_builder_generates_keys_and_option_values(world, client):
    client.force_login(world.admin_a)
    rows = [{"key": "", "type": "text", "label": "作品名称"},
            {"key": "", "type": "choice", "label": "组别", "required": "on",
             "choice_rows": [choice_row("职工组", "Workers"), choice_row(""), choice_row("学生组")]}]
    r = client.post(f"{M}/tracks/songs/form/", post_rows(rows))
    assert r.status_code == 302
    world.t1.refresh_from_db()
    assert world.t1.form_schema == [
        {"key": "field_1", "type": "text", "label": "作品名称"},
        {"key": "field_2", "type": "choice", "label": "组别", "required": True,
         "choices": [{"value": "1", "label": "职工组", "label_en": "Workers"}, {"value": "2", "label": "学生组"}]}]
    # Saved keys and values stay as they are; a new option gets the next free value.
    rows = builder.rows_from_schema(world.t1.form_schema)
    rows[1]["choice_rows"] = [rows[1]["choice_rows"][1], choice_row("退休组")]
    r = client.post(f"{M}/tracks/songs/form/", post_rows(rows))
    world.t1.refresh_from_db()
    assert [c["value"] for c in world.t1.form_schema[1]["choices"]] == ["2", "1"]
    assert world.t1.form_schema[1]["choices"][1]["label"] == "退休组"


def test_builder_option_rows_add_and_remove(world, client):
    client.force_login(world.admin_a)
    rows = [{"key": "g", "type": "choice", "label": "组别",
             "choice_rows": [choice_row("甲", value="a"), choice_row("乙", value="b")]}]
    body = client.post(f"{M}/tracks/songs/form/", post_rows(rows, "addchoice-0")).content.decode()
    assert 'name="f-0-c-2-label" value=""' in body and 'value="乙"' in body
    body = client.post(f"{M}/tracks/songs/form/", post_rows(rows, "rmchoice-0-0")).content.decode()
    assert 'value="甲"' not in body and 'name="f-0-c-0-label" value="乙"' in body
    # Bad actions change nothing.
    for action in ("rmchoice-0-9", "rmchoice-x", "up-7", "bogus"):
        body = client.post(f"{M}/tracks/songs/form/", post_rows(rows, action)).content.decode()
        assert 'value="甲"' in body and 'value="乙"' in body
    world.t1.refresh_from_db()
    assert world.t1.form_schema == []


def test_builder_keeps_max_files_one_visible(world, client):
    """The bug: 最多文件数 "1" disappeared after saving (the stored schema leaves defaults out)."""
    client.force_login(world.admin_a)
    rows = [{"key": "", "type": "file", "label": "作品", "file_kinds": "image", "file_max_count": "1",
             "file_min_count": "0"}]
    assert client.post(f"{M}/tracks/songs/form/", post_rows(rows)).status_code == 302
    body = client.get(f"{M}/tracks/songs/form/").content.decode()
    assert 'name="f-0-file_max_count" value="1"' in body and 'name="f-0-file_min_count" value="0"' in body


def test_builder_errors_in_words_without_key(world, client):
    client.force_login(world.admin_a)
    rows = [{"key": "", "type": "file", "label": "作品视频", "file_max_count": "0"},
            {"key": "", "type": "choice", "label": "组别",
             "choice_rows": [choice_row("甲"), choice_row("甲", value="1")]},
            {"key": "BAD KEY", "type": "text", "label": ""}]
    r = client.post(f"{M}/tracks/songs/form/", post_rows(rows))
    body = r.content.decode()
    assert r.status_code == 200 and "alert-danger" in body
    assert "第 1 个字段（作品视频）：文件上传规则 最多文件数" in body
    assert "key" not in " ".join(line for line in body.splitlines() if "alert-danger" in line).lower()
    assert "内部名称" in body and 'value="作品视频"' in body
    world.t1.refresh_from_db()
    assert world.t1.form_schema == []


def test_builder_identifying_flag_survives_a_save(world, client):
    client.force_login(world.admin_a)
    services.set_track_form(world.superuser, world.t1, [{"key": "author", "type": "text", "label": "作者",
                                                         "identifying": True}])
    body = client.get(f"{M}/tracks/songs/form/").content.decode()
    assert 'name="f-0-identifying" checked' in body
    rows = builder.rows_from_schema(world.t1.form_schema)
    rows[0]["identifying"] = "on"
    rows[0]["required"] = ""
    client.post(f"{M}/tracks/songs/form/", post_rows(rows))
    world.t1.refresh_from_db()
    assert world.t1.form_schema[0]["identifying"] is True


def test_builder_preview_shows_the_entry_form(world, client):
    client.force_login(world.host1)
    rows = [{"key": "", "type": "choice", "label": "组别", "required": "on",
             "choice_rows": [choice_row("职工组"), choice_row("学生组")]},
            {"key": "", "type": "text", "label": "作品名称", "max_length": "30", "help": "不超过三十字"},
            {"key": "", "type": "file", "label": "作品图片", "file_kinds": "image", "file_extensions": "jpg",
             "file_max_size_mb": "20", "file_max_count": "3"}]
    r = client.post(f"{M}/tracks/songs/form/", post_rows(rows, "preview"))
    body = r.content.decode()
    assert r.status_code == 200 and 'id="form-preview"' in body
    preview = body[body.index('id="form-preview"'):body.index('id="builder"')]
    assert "<select" in preview and "职工组" in preview and "学生组" in preview and "disabled" in preview
    assert "作品名称" in preview and "不超过三十字" in preview and "30" in preview
    assert 'type="file"' in preview and "jpg" in preview and "20 MB" in preview
    # Not saved, and what was typed is still in the builder.
    world.t1.refresh_from_db()
    assert world.t1.form_schema == [] and 'value="作品图片"' in body[body.index('id="builder"'):]


def test_builder_preview_with_errors_shows_them_instead(world, client):
    client.force_login(world.admin_a)
    rows = [{"key": "", "type": "choice", "label": "组别", "choice_rows": []}]
    body = client.post(f"{M}/tracks/songs/form/", post_rows(rows, "preview")).content.decode()
    assert 'id="form-preview"' not in body and "alert-danger" in body


@pytest.mark.parametrize(("who", "status"), [("admin_b", 403), ("worker", 403), ("yian_admin", 403)])
def test_builder_preview_permissions(world, client, who, status):
    client.force_login(getattr(world, who))
    rows = [{"key": "", "type": "text", "label": "x"}]
    assert client.post(f"{M}/tracks/songs/form/", post_rows(rows, "preview")).status_code == status


def test_builder_legacy_choice_lines_still_accepted():
    class Post(dict):
        def getlist(self, k):
            return []
    rows = builder.rows_from_post(Post({"count": "1", "f-0-key": "g", "f-0-type": "choice", "f-0-label": "x",
                                        "f-0-choices": "a|甲|A\n\nb"}))
    assert rows[0]["choice_rows"] == [{"value": "a", "label": "甲", "label_en": "A"},
                                      {"value": "b", "label": "b", "label_en": ""}]
    assert builder.rows_from_post(Post({"count": "x"})) == []
    saved = dict(builder._preview)
    builder._preview.clear()
    try:
        assert builder.render_preview(None, None, []) == ""  # no renderer registered: no preview
    finally:
        builder._preview.update(saved)


def test_schema_for_people_names_settings_in_words():
    from zhengji.campaigns.schema import check_schema

    _f, errors = check_schema([{"key": "Bad", "type": "text", "label": "标题"},
                               {"key": "x", "type": "choice", "label": "组别",
                                "choices": [{"value": "", "label": "甲"}]},
                               {"key": "y", "type": "text", "label": "原有"},
                               {"key": "y", "type": "text", "label": "重复"}], for_people=True)
    text = " ".join(m for _n, m in errors)
    assert "标题" in text and "内部名称" in text and "选项 1 值" in text and "重复" in text
    assert "key" not in text.lower() and "choices" not in text
    _f, errors = check_schema([{"key": "x", "type": "text", "label": "a"}, {"key": "x", "type": "text", "label": "b"}])
    assert "“x”" in errors[0][1]  # the API and JSON tab name the key


def test_campaign_page_slug_optional(world, client):
    client.force_login(world.admin_a)
    body = client.get(f"{M}/edit/").content.decode()
    assert "留空" in body
    assert Campaign.objects.filter(slug="camp-a").exists()
