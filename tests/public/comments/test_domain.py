"""Comments in the domain: moderation modes, sensitive words, replies, badges, reports, bulk
moderation (audited), settings and word lists, rate limits, length and plain text, nicknames."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests import factories as f
from zhengji.common.errors import DomainError, NotFound, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.public.domain import comments as domain
from zhengji.public.models import Comment, CommentBadge, CommentHold, CommentProfile, CommentReport, CommentStatus

from .conftest import nicknamed

pytestmark = pytest.mark.django_db
S = CommentStatus


def test_pre_moderation_holds_every_comment(cw):
    c = domain.post(cw.worker, cw.entry_target(), "拍得真好！")
    assert c.status == S.PENDING and c.hold == CommentHold.PREMODERATION
    assert domain.thread(cw.entry_target()).total == 0
    assert [w.pk for w in domain.mine_waiting(cw.worker, cw.entry_target())] == [c.pk]
    assert domain.mine_waiting(cw.other, cw.entry_target()) == []
    assert domain.moderate(cw.moderator, [c.pk], "approve") == 1
    assert [x.pk for x in domain.thread(cw.entry_target()).comments] == [c.pk]


def test_post_moderation_shows_at_once(post_mode):
    cw = post_mode
    c = domain.post(cw.worker, cw.news_target(), "支持！\n第二行")
    assert c.status == S.PUBLISHED and c.hold == ""
    assert [x.body for x in domain.thread(cw.news_target()).comments] == ["支持！\n第二行"]
    assert AuditLog.objects.filter(action="comment.post", object_id=str(c.pk)).exists()


@pytest.mark.parametrize("body", ["这里有敏感词", "敏 感", "敏*感", "敏＊感", "ＡＢ敏\u200b感", "敏感词的繁體：敏感"])
def test_sensitive_words_hold_in_post_moderation_too(post_mode, body):
    cw = post_mode
    domain.add_words(cw.admin, cw.campaign, ["敏感"])
    c = domain.post(cw.worker, cw.entry_target(), body)
    assert c.status == S.PENDING and c.hold == CommentHold.WORDS and c.held_words == ["敏感"]
    start, end = c.held_spans[0]
    assert body[start] == "敏" and body[end - 1] == "感"
    assert domain.thread(cw.entry_target()).total == 0
    assert [x.pk for x in domain.queue(cw.moderator, "held")] == [c.pk]


def test_traditional_form_of_a_word_is_held(post_mode):
    cw = post_mode
    domain.add_words(f.user(is_superuser=True), None, ["刷票"])
    c = domain.post(cw.worker, cw.entry_target(), "有人在 刷 票 嗎")
    assert c.hold == CommentHold.WORDS
    c2 = domain.post(cw.other, cw.entry_target(), "有人在刷選票嗎")  # another character between: not the word
    assert c2.status == S.PUBLISHED


def test_replies_are_one_level_with_a_mention(post_mode):
    cw = post_mode
    top = domain.post(cw.worker, cw.entry_target(), "第一")
    r1 = domain.post(cw.other, cw.entry_target(), "回复第一", reply_to=top.pk)
    r2 = domain.post(cw.worker, cw.entry_target(), "回复回复", reply_to=r1.pk)
    assert r1.parent_id == top.pk and r1.reply_to_nickname == ""
    assert r2.parent_id == top.pk and r2.reply_to_id == r1.pk and r2.reply_to_nickname == "路过的人"
    (shown,) = domain.thread(cw.entry_target()).comments
    assert [r.pk for r in shown.shown_replies] == [r1.pk, r2.pk] and shown.reply_total == 2
    with pytest.raises(DomainError) as exc:  # a reply to another target's comment
        domain.post(cw.worker, cw.news_target(), "串门", reply_to=top.pk)
    assert exc.value.code == "reply_gone"


def test_thread_shows_three_replies_and_counts_all(post_mode, settings):
    cw = post_mode
    settings.COMMENTS_PER_MINUTE = 100
    top = domain.post(cw.worker, cw.entry_target(), "楼主")
    for i in range(5):
        domain.post(cw.other, cw.entry_target(), f"回复{i}", reply_to=top.pk)
    (shown,) = domain.thread(cw.entry_target()).comments
    assert [r.body for r in shown.shown_replies] == ["回复0", "回复1", "回复2"]
    assert shown.reply_total == 5 and shown.more_replies == 2
    assert len(domain.replies(cw.entry_target(), top.pk)) == 5


def test_badges_of_the_entrant_and_the_units_admin(post_mode):
    cw = post_mode
    top = domain.post(cw.worker, cw.entry_target(), "请问拍摄地点？")
    by_author = domain.post(cw.entrant, cw.entry_target(), "在铜陵。", reply_to=top.pk)
    by_unit = domain.post(cw.unit_admin, cw.entry_target(), "感谢关注。", reply_to=top.pk)
    assert (top.badge, by_author.badge, by_unit.badge) == ("", CommentBadge.AUTHOR, CommentBadge.UNIT)
    news = domain.post(cw.entrant, cw.news_target(), "公告收到")
    assert news.badge == ""  # badges belong to an entry's thread
    city_admin = nicknamed("市总工会")
    f.grant(city_admin, "unit_admin", org=cw.tree["city"])
    assert domain.post(city_admin, cw.entry_target(), "好").badge == ""  # not the entry's own unit


def test_reports_once_each_and_auto_hide_in_post_moderation(post_mode):
    cw = post_mode
    cw.mode("post", reports_to_hide=2)
    c = domain.post(cw.worker, cw.entry_target(), "有争议的话")
    with pytest.raises(DomainError) as exc:
        domain.report(cw.worker, c.pk)
    assert exc.value.code == "own_comment"
    domain.report(cw.other, c.pk, "广告")
    with pytest.raises(DomainError) as exc:
        domain.report(cw.other, c.pk)
    assert exc.value.code == "already_reported" and "已经举报" in str(exc.value.message)
    c.refresh_from_db()
    assert c.status == S.PUBLISHED and c.open_reports == 1
    assert [x.pk for x in domain.queue(cw.moderator, "reported")] == [c.pk]
    domain.report(nicknamed("第三人"), c.pk)
    c.refresh_from_db()
    assert c.status == S.PENDING and c.hold == CommentHold.REPORTS and c.reports == 2
    assert AuditLog.objects.filter(action="comment.auto_hide", object_id=str(c.pk)).exists()
    assert domain.thread(cw.entry_target()).total == 0
    with pytest.raises(NotFound):  # no longer shown: nothing to report
        domain.report(nicknamed("第四人"), c.pk)
    domain.moderate(cw.moderator, [c.pk], "approve")  # the moderator disagrees: shown again
    c.refresh_from_db()
    assert c.status == S.PUBLISHED and c.open_reports == 0 and c.reports == 2
    assert CommentReport.objects.filter(comment=c).count() == 2


def test_reports_in_pre_moderation_do_not_hide(cw):
    cw.mode("pre", reports_to_hide=1)
    c = domain.post(cw.worker, cw.entry_target(), "已审核的话")
    domain.moderate(cw.admin, [c.pk], "approve")
    domain.report(cw.other, c.pk)
    c.refresh_from_db()
    assert c.status == S.PUBLISHED and c.open_reports == 1


def test_bulk_moderation_is_audited_and_all_or_nothing(cw):
    a = domain.post(cw.worker, cw.entry_target(), "一")
    b = domain.post(cw.other, cw.entry_target(), "二")
    n = domain.post(cw.worker, cw.news_target(), "公告评论")
    with pytest.raises(DomainError) as exc:
        domain.moderate(cw.moderator, [a.pk, b.pk], "reject")
    assert exc.value.code == "reason_required"
    # Host staff moderate their track's entry comments, not the campaign's announcements.
    with pytest.raises(NotPermitted):
        domain.moderate(cw.host, [a.pk, n.pk], "approve")
    assert Comment.objects.filter(status=S.PENDING).count() == 3
    assert domain.moderate(cw.host, [a.pk], "approve") == 1
    assert domain.moderate(cw.moderator, [b.pk, n.pk], "reject", "与主题无关") == 2
    assert domain.moderate(cw.admin, [a.pk], "delete", "重复") == 1
    logs = AuditLog.objects.filter(action__startswith="comment.").exclude(action="comment.post")
    assert sorted(logs.values_list("action", "object_id")) == sorted([
        ("comment.approve", str(a.pk)), ("comment.reject", str(b.pk)), ("comment.reject", str(n.pk)),
        ("comment.delete", str(a.pk))])
    rejected = AuditLog.objects.get(action="comment.reject", object_id=str(b.pk))
    assert rejected.reason == "与主题无关" and rejected.actor_id == cw.moderator.pk
    assert rejected.campaign_id == cw.campaign.pk
    b.refresh_from_db()
    assert b.status == S.REJECTED and b.reason == "与主题无关"
    assert [w.reason for w in domain.mine_waiting(cw.other, cw.entry_target())] == ["与主题无关"]
    with pytest.raises(NotPermitted):
        domain.moderate(cw.worker, [b.pk], "approve")
    with pytest.raises(NotFound):
        domain.moderate(cw.admin, [b.pk, 999999], "approve")


def test_queue_is_what_the_user_moderates(cw):
    a = domain.post(cw.worker, cw.entry_target(), "作品评论")
    n = domain.post(cw.worker, cw.news_target(), "公告评论")
    assert {c.pk for c in domain.queue(cw.admin)} == {a.pk, n.pk}
    assert {c.pk for c in domain.queue(cw.moderator)} == {a.pk, n.pk}
    assert {c.pk for c in domain.queue(cw.host)} == {a.pk}
    assert domain.queue_counts(cw.host) == {"pending": 1, "reported": 0, "held": 0}
    other_campaign = f.campaign(cw.tree["province"])
    stranger = f.user()
    f.grant(stranger, "campaign_admin", campaign=other_campaign)
    assert not domain.queue(stranger).exists()


def test_settings_only_by_campaign_admins(cw):
    with pytest.raises(NotPermitted):
        domain.change_settings(cw.moderator, cw.campaign, mode="post")
    s = domain.change_settings(cw.admin, cw.campaign, mode="post", reports_to_hide=5)
    assert s.mode == "post" and s.reports_to_hide == 5
    assert AuditLog.objects.filter(action="comment.settings").count() == 1
    with pytest.raises(DomainError):
        domain.change_settings(cw.admin, cw.campaign, mode="sometimes")
    domain.change_settings(cw.admin, cw.campaign, mode="post", enabled=False, reports_to_hide=5)
    with pytest.raises(DomainError) as exc:
        domain.post(cw.worker, cw.entry_target(), "还能评论吗")
    assert exc.value.code == "closed"


def test_word_lists_permissions(cw):
    with pytest.raises(NotPermitted):
        domain.add_words(cw.admin, None, ["全局"])  # the global list: superusers
    with pytest.raises(NotPermitted):
        domain.add_words(cw.moderator, cw.campaign, ["词"])
    added = domain.add_words(cw.admin, cw.campaign, ["刷票", "刷 票", "拉票", ""])
    assert [w.word for w in added] == ["刷票", "拉票"]  # "刷 票" folds to the same word
    assert domain.add_words(cw.admin, cw.campaign, ["刷票"]) == []
    with pytest.raises(DomainError):
        domain.add_words(cw.admin, cw.campaign, ["***"])
    with pytest.raises(NotPermitted):
        domain.remove_words(cw.moderator, [added[0].pk])
    assert domain.remove_words(cw.admin, [added[0].pk]) == 1
    assert AuditLog.objects.filter(action="comment.word_add").count() == 2
    assert AuditLog.objects.filter(action="comment.word_remove").count() == 1


def test_rate_limits_per_minute_and_day(post_mode, settings):
    cw = post_mode
    settings.COMMENTS_PER_MINUTE, settings.COMMENTS_PER_DAY = 2, 3
    start = timezone.now().replace(hour=1)  # 09:00 in Shanghai
    with time_machine.travel(start, tick=False):
        domain.post(cw.worker, cw.entry_target(), "一")
        domain.post(cw.worker, cw.entry_target(), "二")
        with pytest.raises(DomainError) as exc:
            domain.post(cw.worker, cw.entry_target(), "三")
        assert exc.value.status == 429 and "请稍等一分钟" in str(exc.value.message)
        domain.post(cw.other, cw.entry_target(), "别人不受影响")
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        domain.post(cw.worker, cw.entry_target(), "三")
        with pytest.raises(DomainError) as exc:
            domain.post(cw.worker, cw.entry_target(), "四")
        assert exc.value.code == "rate_limited" and "明天" in str(exc.value.message)
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        domain.post(cw.worker, cw.entry_target(), "新的一天")


def test_rate_limit_per_network(post_mode, settings):
    cw = post_mode
    settings.COMMENTS_PER_NETWORK_HOUR = 2
    domain.post(cw.worker, cw.entry_target(), "一", ip="203.0.113.7")
    domain.post(cw.other, cw.entry_target(), "二", ip="203.0.113.99")
    with pytest.raises(DomainError) as exc:
        domain.post(nicknamed("新来的"), cw.entry_target(), "三", ip="203.0.113.250")
    assert exc.value.code == "rate_limited" and "网络" in str(exc.value.message)
    domain.post(nicknamed("另一网段"), cw.entry_target(), "四", ip="198.51.100.1")
    assert domain.network_of("2001:db8:1:2::5") == "2001:db8:1::/48"


def test_length_plain_text_and_login(post_mode, settings):
    cw = post_mode
    settings.COMMENT_MAX_LENGTH = 10
    with pytest.raises(DomainError) as exc:
        domain.post(cw.worker, cw.entry_target(), "长" * 11)
    assert exc.value.code == "too_long" and "10" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        domain.post(cw.worker, cw.entry_target(), " \n\t ")
    assert exc.value.code == "required"
    settings.COMMENT_MAX_LENGTH = 500
    c = domain.post(cw.worker, cw.entry_target(), "<b>x</b>\r\n\r\n\r\n\r\ny\x07")
    assert c.body == "<b>x</b>\n\ny"  # stored as typed (escaped when shown), blank lines limited
    anonymous = type("Anon", (), {"is_authenticated": False})()
    with pytest.raises(NotPermitted):
        domain.post(anonymous, cw.entry_target(), "匿名")
    unverified = nicknamed("未验证")
    unverified.phone_verified = False
    unverified.save()
    with pytest.raises(NotPermitted) as exc:
        domain.post(unverified, cw.entry_target(), "未验证")
    assert exc.value.code == "phone_unverified"


def test_nickname_on_first_comment(post_mode):
    cw = post_mode
    newcomer = f.user(real_name="王五")
    with pytest.raises(DomainError) as exc:
        domain.post(newcomer, cw.entry_target(), "第一次评论")
    assert exc.value.code == "nickname_required" and exc.value.field == "nickname"
    for bad in ("王五", "我是王五啊", "电话13912345678", "a"):
        with pytest.raises(DomainError) as exc:
            domain.post(newcomer, cw.entry_target(), "第一次评论", nickname=bad)
        assert exc.value.code == "nickname_invalid"
    c = domain.post(newcomer, cw.entry_target(), "第一次评论", nickname="  小 王 ")
    assert c.nickname == "小 王" and CommentProfile.objects.get(user=newcomer).nickname == "小 王"
    assert domain.post(newcomer, cw.entry_target(), "第二次").nickname == "小 王"
    domain.set_nickname(newcomer, "老王")
    assert domain.nickname_of(newcomer) == "老王"
    assert AuditLog.objects.filter(action="comment.nickname").count() == 2


def test_non_public_targets_refused(cw):
    from django.http import Http404

    from zhengji.entries.models import Entry, EntryStatus

    draft = Entry.objects.create(track=cw.track, submitter=cw.entrant, unit=cw.tree["ya1"], title="草稿")
    assert draft.status == EntryStatus.DRAFT
    with pytest.raises(Http404):
        domain.entry_target(cw.worker, draft.pk)
    from tests.public.builders import announcement

    future = announcement(cw.campaign, "未发布", days_ago=-1)
    with pytest.raises(NotFound):
        domain.announcement_target(future.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_keep_the_per_minute_limit(post_mode, settings):
    from tests.concurrency import at_once, needs_postgresql

    needs_postgresql()
    cw = post_mode
    settings.COMMENTS_PER_MINUTE = 3
    ok, refused = at_once(8, lambda i: domain.post(cw.worker, cw.entry_target(), f"并发{i}"))
    assert len(ok) == 3 and len(refused) == 5 and all(e.code == "rate_limited" for e in refused)
    assert Comment.objects.filter(author=cw.worker).count() == 3


def test_hub_card_for_moderators(cw):
    from zhengji.public.hooks_comments import hub_panels

    domain.post(cw.worker, cw.entry_target(), "待审")
    (panel,) = hub_panels(cw.moderator)
    assert panel.items[0].label == "1 条评论待审核"
    assert hub_panels(cw.worker) == []
    (panel,) = hub_panels(cw.admin)
    assert any(f"/moderation/comments/settings/{cw.campaign.slug}/" == i.url for i in panel.items)
