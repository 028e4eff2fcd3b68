"""Every entry page, for the owner, another worker, another unit's admin, anonymous users and
wrong methods; the form flow; query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from zhengji.entries import services
from zhengji.entries.models import Entry, EntryStatus
from zhengji.entries.services import Changes

from .builders import GOOD_DATA, media, worker

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def form_post(entry, **over):
    data = {"entry_form": "1", "entry_title": "我的作品", "entry_summary": "简介", "entry_phone": "13912345678",
            "author_name": ["张三"], "author_unit": ["某公司"], "author_role": [""], **GOOD_DATA}
    data.update(over)
    return data


def page_urls(e):
    return {name: reverse(f"entries:{name}", args=[e.pk]) for name in ("detail", "edit", "withdraw", "receipt")}


# --- anonymous ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name,args", [("mine", []), ("unit", []), ("choose_track", []), ("new", [1]),
                                       ("detail", [1]), ("edit", [1]), ("autosave", [1]), ("withdraw", [1]),
                                       ("receipt", [1]), ("author_row", [])])
def test_anonymous_is_sent_to_login(client, name, args):
    r = client.get(reverse(f"entries:{name}", args=args))
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]


# --- lists -------------------------------------------------------------------------------------

def test_my_entries_lists_only_mine(client, world):
    mine = world.draft(title="我的作品甲")
    world.draft(world.other_worker, title="别人的作品")
    r = login(client, world.worker).get(reverse("entries:mine"))
    body = r.content.decode()
    assert r.status_code == 200 and "我的作品甲" in body and "别人的作品" not in body
    assert reverse("entries:detail", args=[mine.pk]) in body


def test_my_entries_wrong_method(client, world):
    assert login(client, world.worker).post(reverse("entries:mine")).status_code == 405


def _many(world, n):
    start = Entry.objects.count()
    for i in range(start, start + n):
        e = Entry.objects.create(track=world.track, submitter=world.worker, unit=world.tree["ya1"], title=f"作品{i}")
        if i % 2:
            Entry.objects.filter(pk=e.pk).update(status=EntryStatus.SUBMITTED, number=f"2025-04-{i:06d}")


def test_my_entries_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    login(client, world.worker)
    _many(world, 5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("entries:mine")).status_code == 200
    _many(world, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get(reverse("entries:mine"))
    assert r.content.decode().count("作品") >= 30


def test_unit_list_for_admins_of_the_subtree(client, world):
    e = world.submitted()
    world.draft(title="草稿不给看")
    r = login(client, world.yian_admin).get(reverse("entries:unit"))
    assert r.status_code == 200 and e.number in r.content.decode() and "草稿不给看" not in r.content.decode()
    r = login(client, world.jiao_admin).get(reverse("entries:unit"))
    assert r.status_code == 200 and e.number not in r.content.decode()
    assert login(client, world.other_worker).get(reverse("entries:unit")).status_code == 403


# --- new ---------------------------------------------------------------------------------------

def test_choose_track_lists_open_tracks(client, world):
    closed = f.track(world.campaign, world.tree["city"], number=9, name="已关闭子项目", is_open=False, slug="closed")
    r = login(client, world.worker).get(reverse("entries:choose_track"))
    body = r.content.decode()
    assert r.status_code == 200 and world.track.name in body and closed.name not in body


def test_new_entry_creates_a_draft_and_redirects_to_edit(client, world):
    login(client, world.worker)
    url = reverse("entries:new", args=[world.track.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"title": "新作品", "entrant_type": "individual"})
    e = Entry.objects.get(submitter=world.worker)
    assert r.status_code == 302 and r["Location"] == reverse("entries:edit", args=[e.pk])
    assert e.title == "新作品" and e.status == EntryStatus.DRAFT


def test_new_entry_without_membership_shows_clear_error(client, world):
    r = login(client, f.user()).post(reverse("entries:new", args=[world.track.pk]), {"title": "留着我"})
    assert r.status_code == 400 and "留着我" in r.content.decode()
    assert not Entry.objects.exists()


def test_new_unit_entry_by_admin(client, world):
    login(client, world.yian_admin)
    url = reverse("entries:new", args=[world.unit_track.pk])
    r = client.get(url)
    assert world.tree["ya1"].name in r.content.decode() and world.tree["jq1"].name not in r.content.decode()
    client.post(url, {"title": "公众号", "entrant_type": "unit", "unit": world.tree["ya1"].pk})
    assert Entry.objects.get().unit == world.tree["ya1"]
    r = client.post(url, {"title": "越界", "entrant_type": "unit", "unit": world.tree["jq1"].pk})
    assert r.status_code == 400 and Entry.objects.count() == 1
    r = client.post(url, {"title": "乱填", "entrant_type": "unit", "unit": "abc"})
    assert r.status_code == 400 and Entry.objects.count() == 1


def test_new_unknown_track_404_and_wrong_method(client, world):
    login(client, world.worker)
    assert client.get(reverse("entries:new", args=[99999])).status_code == 404
    assert client.put(reverse("entries:new", args=[world.track.pk])).status_code == 405


# --- edit / submit -----------------------------------------------------------------------------

def test_edit_page_renders_schema_fields_and_uploader_fallback(client, world):
    e = world.complete_draft()
    r = login(client, world.worker).get(reverse("entries:edit", args=[e.pk]))
    body = r.content.decode()
    assert r.status_code == 200
    for key in ("creator_note", "story", "intro", "minutes", "genre", "tags", "made_on", "link"):
        assert f'name="{key}"' in body
    m = e.media_files.get()
    assert 'name="photos"' in body and f'value="{m.pk}"' in body
    assert "hx-post" in body and reverse("entries:autosave", args=[e.pk]) in body
    assert "3 至 10 字" in body and "最多 20 个字符" in body  # limits shown before submitting


def test_edit_submit_flow(client, world):
    e = world.draft(title="草稿")
    m = media(world.worker, slot="photos")
    login(client, world.worker)
    r = client.post(reverse("entries:edit", args=[e.pk]), form_post(e, photos=str(m.pk), action="submit",
                                                                      entry_pledge="on"))
    e.refresh_from_db()
    assert r.status_code == 302 and r["Location"] == reverse("entries:detail", args=[e.pk])
    assert e.status == EntryStatus.SUBMITTED and e.number and e.media_files.get() == m
    assert e.contact_phone == "13912345678"


def test_submit_without_pledge_keeps_typed_input(client, world):
    e = world.draft(title="草稿")
    login(client, world.worker)
    r = client.post(reverse("entries:edit", args=[e.pk]), form_post(e, creator_note="我打的字", action="submit"))
    assert r.status_code == 400
    body = r.content.decode()
    assert "我打的字" in body
    e.refresh_from_db()
    assert e.status == EntryStatus.DRAFT and e.data["creator_note"] == "我打的字"  # saved, not lost


def test_submit_with_errors_shows_them_per_field(client, world):
    e = world.draft(title="草稿")
    login(client, world.worker)
    r = client.post(reverse("entries:edit", args=[e.pk]), form_post(e, minutes="99", action="submit",
                                                                      entry_pledge="on"))
    body = r.content.decode()
    assert r.status_code == 400 and 'value="99"' in body and "invalid-feedback" in body
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.DRAFT


def test_edit_submitted_entry_invalid_keeps_typed_and_changes_nothing(client, world):
    e = world.submitted()
    login(client, world.worker)
    r = client.post(reverse("entries:edit", args=[e.pk]), form_post(e, entry_title="新标题", minutes="abc",
                                                                      photos=str(e.media_files.get().pk)))
    assert r.status_code == 400 and "新标题" in r.content.decode()
    assert Entry.objects.get(pk=e.pk).title == "我的作品"
    r = client.post(reverse("entries:edit", args=[e.pk]), form_post(e, entry_title="新标题",
                                                                      photos=str(e.media_files.get().pk)))
    assert r.status_code == 302 and Entry.objects.get(pk=e.pk).title == "新标题"


def test_edit_permissions(client, world):
    e = world.submitted()
    url = reverse("entries:edit", args=[e.pk])
    assert login(client, world.other_worker).get(url).status_code == 404
    assert login(client, world.jiao_admin).get(url).status_code == 404
    assert login(client, world.yian_admin).get(url).status_code == 403  # sees it, may not edit
    assert login(client, world.yian_admin).post(url, form_post(e)).status_code == 403
    assert login(client, world.worker).delete(url).status_code == 405


def test_autosave_saves_draft_and_answers_a_status_line(client, world):
    e = world.draft(title="草稿")
    login(client, world.worker)
    url = reverse("entries:autosave", args=[e.pk])
    r = client.post(url, form_post(e, entry_title="自动保存", minutes="abc"), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "text-success" in r.content.decode()
    e.refresh_from_db()
    assert e.title == "自动保存" and e.data["minutes"] == "abc"
    assert client.get(url).status_code == 405
    assert login(client, world.other_worker).post(url, form_post(e)).status_code == 404
    # A draft is the entrant's own: a unit admin does not even learn that it exists.
    assert login(client, world.yian_admin).post(url, form_post(e)).status_code == 404


def test_autosave_of_submitted_entry_does_nothing(client, world):
    e = world.submitted()
    r = login(client, world.worker).post(reverse("entries:autosave", args=[e.pk]), form_post(e, entry_title="x"))
    assert r.status_code == 200 and "text-danger" in r.content.decode()
    assert Entry.objects.get(pk=e.pk).title == "我的作品"


def test_author_row_partial(client, world):
    r = login(client, world.worker).get(reverse("entries:author_row"))
    assert r.status_code == 200 and 'name="author_name"' in r.content.decode()


# --- detail ------------------------------------------------------------------------------------

def test_detail_for_owner_shows_timeline_and_full_phone(client, world):
    e = world.submitted()
    services.return_entry(world.yian_admin, e, "请补充说明")
    r = login(client, world.worker).get(reverse("entries:detail", args=[e.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and e.number in body and "请补充说明" in body
    assert world.worker.phone in body and "photo.png" in body
    assert reverse("entries:receipt", args=[e.pk]) in body


def test_detail_timeline_collapses_autosaves(client, world):
    e = world.draft(title="x")
    for i in range(5):
        services.save_draft(world.worker, e, Changes(title=f"第{i}稿"))
    r = login(client, world.worker).get(reverse("entries:detail", args=[e.pk]))
    assert [h.action for h in r.context["history"]] == ["entry.create", "entry.save"]


def test_detail_for_admin_of_subtree_masks_phone(client, world):
    e = world.submitted()
    r = login(client, world.yian_admin).get(reverse("entries:detail", args=[e.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and world.worker.phone not in body and world.worker.phone[:3] + "****" in body
    assert reverse("entries:edit", args=[e.pk]) not in body


@pytest.mark.parametrize("who", ["other_worker", "jiao_admin"])
def test_detail_hidden_from_others(client, world, who):
    e = world.submitted()
    for url in page_urls(e).values():
        assert login(client, getattr(world, who)).get(url).status_code == 404


def test_detail_wrong_method(client, world):
    e = world.draft(title="x")
    assert login(client, world.worker).post(reverse("entries:detail", args=[e.pk])).status_code == 405


# --- withdraw ----------------------------------------------------------------------------------

def test_withdraw_needs_confirmation(client, world):
    e = world.submitted()
    login(client, world.worker)
    url = reverse("entries:withdraw", args=[e.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.SUBMITTED
    r = client.post(url, {"confirm": "yes", "reason": "不参加了"})
    assert r.status_code == 302 and Entry.objects.get(pk=e.pk).status == EntryStatus.WITHDRAWN
    assert client.post(url, {"confirm": "yes"}).status_code == 400  # already withdrawn: clear message


def test_withdraw_permissions(client, world):
    e = world.submitted()
    url = reverse("entries:withdraw", args=[e.pk])
    assert login(client, world.other_worker).post(url, {"confirm": "yes"}).status_code == 404
    assert login(client, world.jiao_admin).post(url, {"confirm": "yes"}).status_code == 404
    assert login(client, world.yian_admin).post(url, {"confirm": "yes"}).status_code == 403
    assert login(client, world.worker).put(url).status_code == 405
    assert Entry.objects.get(pk=e.pk).status == EntryStatus.SUBMITTED


# --- receipt -----------------------------------------------------------------------------------

def test_receipt_only_once_numbered(client, world):
    e = world.draft(title="x")
    login(client, world.worker)
    assert client.get(reverse("entries:receipt", args=[e.pk])).status_code == 404
    assert client.post(reverse("entries:receipt", args=[e.pk])).status_code == 405


def test_centre_partial_lists_recent_entries(client, world):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    world.draft(title="最近的作品")
    request = RequestFactory().get("/")
    request.user = world.worker
    html = render_to_string("entries/_my_entries.html", {"user": world.worker}, request=request)
    assert "最近的作品" in html and reverse("entries:mine") in html


def test_team_and_worker_helpers(world):
    u = worker(world.tree["ya2"])
    e = services.create_draft(u, world.track, entrant_type="team", changes=Changes(title="团队"))
    assert e.entrant_type == "team"


def test_uploader_tag_uses_the_media_widget_when_present(client, world, settings, tmp_path):
    widget = tmp_path / "media" / "_uploader.html"
    widget.parent.mkdir(parents=True)
    widget.write_text('<div class="real-widget" data-slot="{{ field.key }}" data-track="{{ track.pk }}">'
                      '{% for m in existing %}{{ m.pk }}{% endfor %}</div>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    e = world.complete_draft()
    body = login(client, world.worker).get(reverse("entries:edit", args=[e.pk])).content.decode()
    m = e.media_files.get()
    assert f'<div class="real-widget" data-slot="photos" data-track="{world.track.pk}">{m.pk}</div>' in body
    assert "uploader-fallback" not in body


def test_unit_option_only_for_unit_admins(client, world):
    world.track.entrant_types = ["individual", "unit"]
    world.track.save()
    url = reverse("entries:new", args=[world.track.pk])
    assert 'value="unit"' not in login(client, world.worker).get(url).content.decode()
    assert 'value="unit"' in login(client, world.yian_admin).get(url).content.decode()


def test_unit_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.yian_admin)
    _many(world, 4)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("entries:unit")).status_code == 200
    _many(world, 26)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("entries:unit")).status_code == 200


def test_pages_in_english(client, world):
    from django.conf import settings as dj

    e = world.complete_draft()
    login(client, world.worker)
    client.cookies[dj.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("entries:edit", args=[e.pk])).content.decode()
    assert "Save draft" in body and "Originality pledge and licence grant" in body and "solemnly declare" in body
    body = client.get(reverse("entries:mine")).content.decode()
    assert "My entries" in body and "Track 4" in body


# --- files on the entry pages (the media app's widget, renditions and status) ----------------------

def with_thumbnail(m):
    """Give a ready media file thumbnail and web renditions (small real JPEGs)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buf, "JPEG")
    m.thumbnail.save("thumb.jpg", ContentFile(buf.getvalue()), save=False)
    m.web.save("web.jpg", ContentFile(buf.getvalue()), save=False)
    m.save()
    return m


def test_refused_edit_keeps_the_new_upload_in_the_widget(client, world):
    """A submitted entry's edit is all or nothing: when it is refused, a photo uploaded meanwhile
    is not attached yet, but the re-rendered widget must still hold it, or it silently drops out
    of the entry on the next save."""
    e = world.submitted()
    old = e.media_files.get()
    new = media(world.worker, slot="photos", name="新照片.png")
    login(client, world.worker)
    url = reverse("entries:edit", args=[e.pk])
    r = client.post(url, form_post(e, minutes="abc", photos=f"{old.pk},{new.pk}"))
    body = r.content.decode()
    assert r.status_code == 400
    assert f'name="photos" data-zj-ids value="{old.pk},{new.pk}"' in body
    assert f'data-media-id="{new.pk}"' in body and "新照片.png" in body
    assert list(e.media_files.all()) == [old]  # nothing changed yet
    # Saved again, corrected: both are attached, in order.
    r = client.post(url, form_post(e, photos=f"{old.pk},{new.pk}"))
    assert r.status_code == 302
    assert list(e.media_files.order_by("position").values_list("pk", flat=True)) == [old.pk, new.pk]


def test_refused_edit_does_not_show_someone_elses_file(client, world):
    e = world.submitted()
    old = e.media_files.get()
    theirs = media(world.other_worker, slot="photos", name="别人的.png")
    r = login(client, world.worker).post(reverse("entries:edit", args=[e.pk]),
                                         form_post(e, photos=f"{old.pk},{theirs.pk}"))
    body = r.content.decode()
    assert r.status_code == 400 and f"文件 {theirs.pk} 不能用于此处" in body
    assert "别人的.png" not in body and f'data-zj-ids value="{old.pk}"' in body


def test_removing_every_file_is_kept_after_a_refused_draft_submit(client, world):
    e = world.complete_draft()
    r = login(client, world.worker).post(reverse("entries:edit", args=[e.pk]),
                                         form_post(e, photos="", action="submit", entry_pledge="on"))
    body = r.content.decode()
    assert r.status_code == 400 and 'name="photos" data-zj-ids value=""' in body
    assert "至少上传 1 个文件" in body


def test_edit_widget_thumbnails_come_from_the_rendition_view(client, world):
    e = world.complete_draft()
    m = with_thumbnail(e.media_files.get())
    body = login(client, world.worker).get(reverse("entries:edit", args=[e.pk])).content.decode()
    thumb = reverse("media:rendition", args=[m.pk, "thumb"])
    assert f'<img src="{thumb}"' in body
    assert m.thumbnail.url not in body  # /media/… is not served outside DEBUG (and must not be)
    assert client.get(thumb).status_code == 200


def test_detail_shows_renditions_and_live_status(client, world):
    from zhengji.media.models import MediaStatus

    e = world.complete_draft()
    ready = with_thumbnail(e.media_files.get())
    pending = media(world.worker, slot="photos", name="处理中.png", status=MediaStatus.PENDING)
    services.save_draft(world.worker, e, Changes(files={"photos": [ready.pk, pending.pk]}))
    body = login(client, world.worker).get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert f'id="entry-media-{ready.pk}"' in body
    assert f'<img src="/files/m/{ready.pk}/thumb"' in body and f'href="/files/m/{ready.pk}/web"' in body
    assert f'href="/files/m/{ready.pk}/original"' in body  # the owner may download the original
    # The pending file: the status card, polling until it is ready.
    assert f'id="media-status-{pending.pk}"' in body and f'hx-get="/files/m/{pending.pk}/status"' in body
    assert 'hx-trigger="every 3s"' in body


def test_detail_shows_a_failed_file_with_reason_and_retry(client, world):
    from zhengji.media.models import MediaStatus

    e = world.complete_draft()
    m = e.media_files.get()
    m.status, m.error = MediaStatus.FAILED, "视频时长 2.0 秒，但只能解码 0.3 秒\n\nffmpeg said no"
    m.save()
    body = login(client, world.worker).get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert "只能解码 0.3 秒" in body and "ffmpeg said no" not in body
    assert f'hx-post="/files/m/{m.pk}/retry"' in body


def test_unit_admin_sees_the_renditions_not_the_original(client, world):
    e = world.submitted()
    m = with_thumbnail(e.media_files.get())
    thumb = reverse("media:rendition", args=[m.pk, "thumb"])
    original = reverse("media:original", args=[m.pk])
    body = login(client, world.yian_admin).get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert f'<img src="{thumb}"' in body and original not in body
    assert client.get(thumb).status_code == 200
    assert client.get(original).status_code == 404
    assert client.get(f"/api/media/files/{m.pk}").json()["urls"]["original"] is None
    for who in (world.jiao_admin, world.other_worker):  # another unit's admin, another worker
        login(client, who)
        assert client.get(thumb).status_code == 404
        assert client.get(f"/api/media/files/{m.pk}").status_code == 404


def test_unit_admin_sees_nothing_of_a_free_file(client, world):
    m = with_thumbnail(media(world.worker, slot="photos"))  # uploaded, not attached to an entry yet
    login(client, world.ya1_admin)
    assert client.get(reverse("media:rendition", args=[m.pk, "thumb"])).status_code == 404


def test_detail_query_count_does_not_grow_with_files(client, world, django_assert_max_num_queries):
    e = world.complete_draft()
    login(client, world.worker)
    url = reverse("entries:detail", args=[e.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    more = [media(world.worker, slot="photos", name=f"{i}.png") for i in range(1)]
    services.save_draft(world.worker, e, Changes(files={"photos": [e.media_files.get().pk, *[m.pk for m in more]]}))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_unit_admin_sees_a_failed_file_without_a_retry_button(client, world):
    from zhengji.media.models import MediaStatus

    e = world.submitted()
    m = e.media_files.get()
    m.status, m.error = MediaStatus.FAILED, "文件似乎不完整或已损坏"
    m.save()
    body = login(client, world.yian_admin).get(reverse("entries:detail", args=[e.pk])).content.decode()
    assert "文件似乎不完整或已损坏" in body and f"/files/m/{m.pk}/retry" not in body
    assert client.get(f"/api/media/files/{m.pk}").json()["can_retry"] is False
    assert client.post(f"/api/media/files/{m.pk}/retry").status_code == 403
    login(client, world.worker)
    assert client.get(f"/api/media/files/{m.pk}").json()["can_retry"] is True
