"""The comments API under /api/public: list, post, reply, report; the moderation queue and bulk
actions; settings and word lists. Anonymous, another user, a moderator, a wrong method."""

from __future__ import annotations

import pytest

from tests import factories as f
from zhengji.common.models import AuditLog
from zhengji.public.domain import comments as domain
from zhengji.public.models import Comment, CommentStatus

pytestmark = pytest.mark.django_db
S = CommentStatus
J = "application/json"


def test_list_is_public_and_paginated(post_mode, client, settings):
    cw = post_mode
    settings.COMMENTS_PER_MINUTE = 100
    top = domain.post(cw.worker, cw.entry_target(), "<b>粗体</b>")
    for i in range(4):
        domain.post(cw.entrant, cw.entry_target(), f"回复{i}", reply_to=top.pk)
    r = client.get(f"/api/public/entries/{cw.entry.pk}/comments")
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 1 and data["pages"] == 1
    (item,) = data["items"]
    assert item["body"] == "<b>粗体</b>" and item["nickname"] == "热心职工" and item["reply_total"] == 4
    assert [x["body"] for x in item["replies"]] == ["回复0", "回复1", "回复2"]
    assert item["replies"][0]["badge"] == "author"
    assert "phone" not in str(data) and "李四" not in str(data)
    replies = client.get(f"/api/public/comments/{top.pk}/replies").json()
    assert len(replies) == 4
    assert client.get(f"/api/public/announcements/{cw.news.pk}/comments").json()["count"] == 0
    assert client.get("/api/public/entries/999999/comments").status_code == 404
    assert client.delete(f"/api/public/entries/{cw.entry.pk}/comments").status_code == 405


def test_post_reply_and_errors(cw, client, settings):
    url = f"/api/public/entries/{cw.entry.pk}/comments"
    r = client.post(url, {"body": "匿名"}, content_type=J)
    assert r.status_code == 401
    client.force_login(cw.worker)
    r = client.post(url, {"body": "接口评论"}, content_type=J)
    assert r.status_code == 201 and r.json()["status"] == "pending" and r.json()["held_for"] == "premod"
    cw.mode("post")
    top = client.post(url, {"body": "立即显示"}, content_type=J).json()
    assert top["status"] == "published"
    client.force_login(cw.entrant)
    reply = client.post(url, {"body": "作者回复", "reply_to": top["id"]}, content_type=J).json()
    assert reply["parent"] == top["id"] and reply["badge"] == "author"
    newcomer = f.user()
    client.force_login(newcomer)
    r = client.post(url, {"body": "第一次"}, content_type=J)
    assert r.status_code == 400 and r.json()["code"] == "nickname_required" and r.json()["field"] == "nickname"
    assert client.post(url, {"body": "第一次", "nickname": "新人"}, content_type=J).status_code == 201
    settings.COMMENTS_PER_MINUTE = 1
    r = client.post(url, {"body": "太快"}, content_type=J)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and "一分钟" in r.json()["message"]
    r = client.post(url, {"body": ""}, content_type=J)
    assert r.status_code == 422
    r = client.post(url, "[1]", content_type=J)
    assert r.status_code == 422
    r = client.post(f"/api/public/announcements/{cw.news.pk}/comments", {"body": "公告"}, content_type=J)
    assert r.status_code == 429  # the limit is per account, whatever the target
    mine = client.get("/api/public/comments/mine/waiting")
    assert mine.status_code == 200


def test_report_api(post_mode, client):
    cw = post_mode
    c = domain.post(cw.worker, cw.entry_target(), "举报我")
    url = f"/api/public/comments/{c.pk}/report"
    assert client.post(url, {}, content_type=J).status_code == 401
    client.force_login(cw.other)
    assert client.post(url, {"reason": "广告"}, content_type=J).status_code == 201
    r = client.post(url, {}, content_type=J)
    assert r.status_code == 409 and r.json()["code"] == "already_reported"
    assert client.get(url).status_code == 405
    assert client.post("/api/public/comments/999999/report", {}, content_type=J).status_code == 404


def test_moderation_api(cw, client):
    a = domain.post(cw.worker, cw.entry_target(), "甲")
    b = domain.post(cw.other, cw.news_target(), "乙")
    url = "/api/public/comments/moderation"
    assert client.get(url).status_code == 401
    client.force_login(cw.worker)
    assert client.get(url).status_code == 403
    r = client.post(url, {"ids": [a.pk], "action": "approve"}, content_type=J)
    assert r.status_code == 403 and Comment.objects.get(pk=a.pk).status == S.PENDING
    client.force_login(cw.host)
    data = client.get(url).json()
    assert [i["id"] for i in data["items"]] == [a.pk] and data["counts"]["pending"] == 1
    assert client.post(url, {"ids": [a.pk, b.pk], "action": "approve"}, content_type=J).status_code == 403
    client.force_login(cw.moderator)
    data = client.get(url, {"state": "pending"}).json()
    assert {i["id"] for i in data["items"]} == {a.pk, b.pk}
    assert data["items"][0]["target"] == f"entry:{cw.entry.pk}"
    r = client.post(url, {"ids": [a.pk, b.pk], "action": "reject"}, content_type=J)
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = client.post(url, {"ids": [a.pk, b.pk], "action": "approve"}, content_type=J)
    assert r.status_code == 200 and r.json() == {"changed": 2}
    assert AuditLog.objects.filter(action="comment.approve").count() == 2
    assert client.post(url, {"ids": [a.pk], "action": "hide"}, content_type=J).status_code == 422
    assert client.put(url, {}, content_type=J).status_code == 405
    assert client.get(url, {"state": "nonsense"}).status_code == 422


def test_held_words_in_the_queue_api(post_mode, client):
    cw = post_mode
    domain.add_words(cw.admin, cw.campaign, ["刷票"])
    c = domain.post(cw.worker, cw.entry_target(), "一起刷 票")
    client.force_login(cw.admin)
    (item,) = client.get("/api/public/comments/moderation", {"state": "held"}).json()["items"]
    assert item["id"] == c.pk and item["held_words"] == ["刷票"] and item["held_spans"] == [[2, 5]]


def test_settings_api(cw, client):
    url = f"/api/public/campaigns/{cw.campaign.slug}/comment-settings"
    assert client.get(url).status_code == 401
    client.force_login(cw.moderator)
    assert client.get(url).status_code == 403
    assert client.put(url, {"mode": "post"}, content_type=J).status_code == 403
    client.force_login(cw.admin)
    assert client.get(url).json() == {"enabled": True, "mode": "pre", "reports_to_hide": 3}
    r = client.put(url, {"mode": "post", "reports_to_hide": 5}, content_type=J)
    assert r.status_code == 200 and r.json()["mode"] == "post"
    assert client.put(url, {"mode": "maybe"}, content_type=J).status_code == 422
    assert client.post(url, {"mode": "post"}, content_type=J).status_code == 405


def test_words_api(cw, client):
    url = "/api/public/comment-words"
    assert client.get(url).status_code == 401
    client.force_login(cw.admin)
    assert client.get(url).status_code == 403  # the global list
    assert client.post(url, {"words": ["全局"]}, content_type=J).status_code == 403
    r = client.post(f"{url}?campaign={cw.campaign.slug}", {"words": ["刷票", "刷 票"]}, content_type=J)
    assert r.status_code == 201 and [w["word"] for w in r.json()] == ["刷票"]
    (word,) = client.get(url, {"campaign": cw.campaign.slug}).json()
    client.force_login(cw.moderator)
    assert client.delete(f"{url}/{word['id']}").status_code == 403
    client.force_login(cw.admin)
    assert client.delete(f"{url}/{word['id']}").status_code == 204
    superuser = f.user(is_superuser=True)
    client.force_login(superuser)
    assert client.post(url, {"words": ["赌博"]}, content_type=J).status_code == 201
    assert [w["word"] for w in client.get(url).json()] == ["赌博"]
    assert client.patch(url, {}, content_type=J).status_code == 405
