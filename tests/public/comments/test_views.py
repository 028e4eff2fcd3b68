"""The comment pages through the test client: the cached thread and the live form, posting,
reporting, the moderators' queue, settings and word lists; who may not use them; the page cache
shows a newly approved comment; the thread's query count does not grow with its length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from zhengji.common.models import AuditLog
from zhengji.entries.models import Entry, EntryStatus
from zhengji.public.domain import comments as domain
from zhengji.public.models import Comment, CommentStatus

from .conftest import nicknamed

pytestmark = pytest.mark.django_db
S = CommentStatus
HX = {"HTTP_HX_REQUEST": "true"}


def page_url(cw, kind="e"):
    return f"/comments/{kind}/{cw.entry.pk if kind == 'e' else cw.news.pk}/"


def test_thread_shows_published_comments_escaped_with_badges(post_mode, client):
    cw = post_mode
    top = domain.post(cw.worker, cw.entry_target(), "<script>alert(1)</script>\n第二行")
    domain.post(cw.entrant, cw.entry_target(), "谢谢", reply_to=top.pk)
    cw.mode("pre")
    domain.post(cw.other, cw.entry_target(), "等待审核的话")
    r = client.get(page_url(cw))
    html = r.content.decode()
    assert r.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行" in html and "<script>alert(1)" not in html
    assert "热心职工" in html and "作者" in html and "谢谢" in html
    assert "等待审核的话" not in html
    assert "李四" not in html and cw.worker.phone not in html  # never the real name or the phone
    assert "互动交流" in html


def test_thread_include_renders_inside_a_page(post_mode):
    cw = post_mode
    domain.post(cw.worker, cw.news_target(), "公告下的评论")
    html = Template('{% include "public/comments/_thread.html" %}').render(Context({"announcement": cw.news}))
    assert "公告下的评论" in html and f"/comments/a/{cw.news.pk}/form/" in html
    assert Template('{% include "public/comments/_thread.html" %}').render(Context({})).strip() == ""


def test_form_fragment_is_live_and_per_user(cw, client):
    r = client.get(f"/comments/e/{cw.entry.pk}/form/", **HX)
    assert r.status_code == 200 and "登录后评论" in r.content.decode() and "private" in r["Cache-Control"]
    newcomer = f.user()
    client.force_login(newcomer)
    html = client.get(f"/comments/e/{cw.entry.pk}/form/", **HX).content.decode()
    assert 'name="nickname"' in html and 'name="body"' in html and "评论经审核后显示" in html
    client.force_login(cw.worker)
    domain.post(cw.worker, cw.entry_target(), "我的待审评论")
    html = client.get(f"/comments/e/{cw.entry.pk}/form/", **HX).content.decode()
    assert 'name="nickname"' not in html and "我的待审评论" in html and "待审核" in html
    client.force_login(cw.other)
    assert "我的待审评论" not in client.get(f"/comments/e/{cw.entry.pk}/form/", **HX).content.decode()


def test_posting_through_the_form(cw, client, settings):
    url = f"/comments/e/{cw.entry.pk}/form/"
    r = client.post(url, {"body": "匿名"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(cw.worker)
    r = client.post(url, {"body": "先审后发的评论"}, **HX)
    assert r.status_code == 200 and "您的评论正在等待审核" in r.content.decode()
    assert "HX-Trigger" not in r
    cw.mode("post")
    r = client.post(url, {"body": "先发后审的评论"}, **HX)
    assert "您的评论已发表" in r.content.decode() and r["HX-Trigger"] == "comments-changed"
    top = Comment.objects.get(body="先发后审的评论")
    r = client.post(url, {"body": "回复", "reply_to": str(top.pk)}, **HX)
    assert Comment.objects.get(body="回复").parent_id == top.pk
    settings.COMMENTS_PER_MINUTE = 3
    r = client.post(url, {"body": "太快了"}, **HX)
    assert r.status_code == 200 and "请稍等一分钟" in r.content.decode() and "太快了" in r.content.decode()
    r = client.post(url, {"body": "太快了"})  # without htmx: the page with the message, status 429
    assert r.status_code == 429 and "请稍等一分钟" in r.content.decode()
    assert client.put(url).status_code == 405
    newcomer = f.user()
    client.force_login(newcomer)
    r = client.post(url, {"body": "没有昵称"}, **HX)
    assert "请先设置公开昵称" in r.content.decode()


def test_reply_form_names_the_comment(post_mode, client):
    cw = post_mode
    top = domain.post(cw.worker, cw.entry_target(), "楼主")
    client.force_login(cw.other)
    html = client.get(f"/comments/e/{cw.entry.pk}/form/?reply_to={top.pk}", **HX).content.decode()
    assert "回复 热心职工" in html and f'name="reply_to" value="{top.pk}"' in html


def test_not_public_targets_are_404(cw, client):
    draft = Entry.objects.create(track=cw.track, submitter=cw.entrant, unit=cw.tree["ya1"], title="草稿")
    client.force_login(cw.worker)
    for url in (f"/comments/e/{draft.pk}/", f"/comments/e/{draft.pk}/form/", f"/comments/e/{draft.pk}/thread/",
                "/comments/x/1/", f"/comments/a/{cw.news.pk + 999}/form/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/comments/e/{draft.pk}/form/", {"body": "x"}).status_code == 404
    assert not Comment.objects.exists()
    Entry.objects.filter(pk=draft.pk).update(status=EntryStatus.PUBLISHED)
    assert client.get(f"/comments/e/{draft.pk}/").status_code == 200


def test_report_button(post_mode, client):
    cw = post_mode
    c = domain.post(cw.worker, cw.entry_target(), "被举报的话")
    url = f"/comments/report/{c.pk}/"
    assert "登录后举报" in client.post(url, **HX).content.decode()
    assert client.post(url).status_code == 302
    client.force_login(cw.other)
    assert client.get(url).status_code == 405
    assert "已举报" in client.post(url, **HX).content.decode()
    assert "已经举报过" in client.post(url, **HX).content.decode()
    assert Comment.objects.get(pk=c.pk).open_reports == 1
    client.force_login(cw.entrant)
    r = client.post(url, HTTP_REFERER="https://evil.example/x")  # without htmx: back, on this site only
    assert r.status_code == 302 and r["Location"] == "/"
    r = client.post(url, HTTP_REFERER=f"http://testserver/comments/e/{cw.entry.pk}/")
    assert r["Location"].endswith(f"/comments/e/{cw.entry.pk}/")


def test_queue_permissions_highlight_and_bulk(cw, client):
    domain.add_words(cw.admin, cw.campaign, ["刷票"])
    held = domain.post(cw.worker, cw.entry_target(), "谁来 刷<票>")
    plain = domain.post(cw.other, cw.entry_target(), "普通评论")
    assert client.get("/moderation/comments/").status_code == 302
    client.force_login(cw.worker)
    assert client.get("/moderation/comments/").status_code == 403
    client.force_login(cw.moderator)
    html = client.get("/moderation/comments/?state=held").content.decode()
    assert "<mark>刷&lt;票</mark>&gt;" in html and "普通评论" not in html and "敏感词待审" in html
    html = client.get("/moderation/comments/").content.decode()
    assert "普通评论" in html and "谁来" in html
    r = client.post("/moderation/comments/?state=pending", {"ids": [held.pk, plain.pk], "action": "reject"})
    assert r.status_code == 302
    assert Comment.objects.filter(status=S.PENDING).count() == 2  # no reason: nothing changed
    client.post("/moderation/comments/?state=pending", {"ids": [plain.pk], "action": "approve"})
    client.post("/moderation/comments/?state=pending", {"ids": [held.pk], "action": "reject", "reason": "刷票"})
    assert Comment.objects.get(pk=plain.pk).status == S.PUBLISHED
    assert Comment.objects.get(pk=held.pk).status == S.REJECTED
    assert AuditLog.objects.filter(action__in=["comment.approve", "comment.reject"]).count() == 2
    assert "已处理 1 条评论" in client.get("/moderation/comments/").content.decode()
    client.force_login(cw.host)  # host staff: the track's entry comments
    assert client.get("/moderation/comments/?state=all").status_code == 200


def test_settings_page(cw, client):
    url = f"/moderation/comments/settings/{cw.campaign.slug}/"
    assert client.get(url).status_code == 302
    client.force_login(cw.moderator)
    assert client.get(url).status_code == 403
    assert client.post(url, {"mode": "post"}).status_code == 403
    client.force_login(cw.admin)
    assert "先审后发" in client.get(url).content.decode()
    r = client.post(url, {"mode": "post", "enabled": "on", "reports_to_hide": "4"})
    assert r.status_code == 302
    s = domain.settings_for(cw.campaign.pk)
    assert (s.mode, s.enabled, s.reports_to_hide) == ("post", True, 4)
    r = client.post(url, {"mode": "post", "enabled": "on", "reports_to_hide": "x"}, follow=True)
    assert "1 到 100" in r.content.decode()
    assert client.delete(url).status_code == 405


def test_words_page(cw, client):
    client.force_login(cw.admin)
    assert client.get("/moderation/comments/words/").status_code == 403  # the global list
    url = f"/moderation/comments/words/?campaign={cw.campaign.slug}"
    client.post(url, {"action": "add", "words": "刷票\n拉 票\n"})
    assert [w.word for w in domain.words(cw.campaign.pk)] == ["刷票", "拉 票"]
    html = client.get(url).content.decode()
    assert "刷票" in html and "共 2 个词" in html
    client.post(url, {"action": "remove", "ids": [domain.words(cw.campaign.pk)[0].pk]})
    assert domain.words(cw.campaign.pk).count() == 1
    client.force_login(cw.moderator)
    assert client.get(url).status_code == 403
    superuser = f.user(is_superuser=True)
    client.force_login(superuser)
    client.post("/moderation/comments/words/", {"action": "add", "words": "赌博"})
    assert [w.word for w in domain.words(None)] == ["赌博"]


def test_cached_page_shows_a_newly_approved_comment(cw, client, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_PAGE_CACHE = True
    url = page_url(cw)
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss" and "还没有评论" in first.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    c = domain.post(cw.worker, cw.entry_target(), "刚通过的评论")
    assert client.get(url)["X-Page-Cache"] == "hit"  # pending: the public page is unchanged
    with django_capture_on_commit_callbacks(execute=True):
        domain.moderate(cw.moderator, [c.pk], "approve")
    r = client.get(url)
    assert r["X-Page-Cache"] == "miss" and "刚通过的评论" in r.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        domain.moderate(cw.moderator, [c.pk], "delete", "误发")
    assert "刚通过的评论" not in client.get(url).content.decode()
    # The thread fragment is tagged the same way.
    thread = f"/comments/e/{cw.entry.pk}/thread/"
    assert client.get(thread)["X-Page-Cache"] == "miss"
    cw.mode("post")
    with django_capture_on_commit_callbacks(execute=True):
        domain.post(cw.other, cw.entry_target(), "先发后审立即可见")
    assert "先发后审立即可见" in client.get(thread).content.decode()


def test_announcement_cache_tag_bumped(post_mode, client, settings, django_capture_on_commit_callbacks):
    cw = post_mode
    settings.PUBLIC_PAGE_CACHE = True
    url = page_url(cw, "a")
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        domain.post(cw.worker, cw.news_target(), "公告评论")
    assert "公告评论" in client.get(url).content.decode()


def _thread_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_thread_query_count_does_not_grow(post_mode, client, settings):
    cw = post_mode
    settings.COMMENTS_PER_MINUTE = settings.COMMENTS_PER_DAY = 10_000
    people = [nicknamed(f"网友{i}") for i in range(4)]
    small = cw.entry_of("评论少")
    big = cw.entry_of("评论多")
    t_small = domain.Target("entry", small, cw.campaign.pk, cw.track.pk)
    t_big = domain.Target("entry", big, cw.campaign.pk, cw.track.pk)
    top = domain.post(people[0], t_small, "一条")
    domain.post(people[1], t_small, "一条回复", reply_to=top.pk)
    for i in range(20):
        top = domain.post(people[i % 4], t_big, f"评论{i}")
        for j in range(4):
            domain.post(people[j], t_big, f"回复{i}-{j}", reply_to=top.pk)
    for kind in ("", "thread/"):
        few = _thread_queries(client, f"/comments/e/{small.pk}/{kind}")
        many = _thread_queries(client, f"/comments/e/{big.pk}/{kind}")
        assert few == many, kind
    html = client.get(f"/comments/e/{big.pk}/").content.decode()
    assert html.count('class="zj-comment ') == domain.PAGE_SIZE and "查看全部 4 条回复" in html


def test_english_thread_and_form(cw, client):
    html = client.get(page_url(cw), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No comments yet." in html and "Comments" in html
    html = client.get(f"/comments/e/{cw.entry.pk}/form/", HTTP_ACCEPT_LANGUAGE="en", **HX).content.decode()
    assert "Log in to comment" in html


def test_staff_hub_shows_the_comments_card(cw, client):
    domain.post(cw.worker, cw.entry_target(), "待审")
    client.force_login(cw.moderator)
    html = client.get("/hub/").content.decode()
    assert "1 条评论待审核" in html and "/moderation/comments/?state=pending" in html
