"""On a phone (390x844): a logged-in worker comments on an entry under pre-moderation and is
told it awaits moderation; a moderator approves it from the queue on the phone; it appears.
axe-core finds no serious violation on the thread and the queue."""

from __future__ import annotations

import re

import pytest

from tests.browser.session import log_in
from tests.browser.test_usability_walk import axe_clean
from tests.public.comments.conftest import cw  # noqa: F401 (the comments world, shared)
from zhengji.public.models import Comment, CommentStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_comment_waits_then_a_moderator_approves_it_on_a_phone(page, cw):  # noqa: F811 (the fixture)
    thread = f"{page.base_url}/comments/e/{cw.entry.pk}/"
    log_in(page, cw.worker)
    page.goto(thread)
    box = page.locator("#comment-body-new")
    box.wait_for()
    axe_clean(page)
    box.fill("这件作品拍得真好，\n向劳动者致敬！")
    page.get_by_role("button", name="发表评论").click()
    page.locator("#comment-posted").wait_for()
    assert "正在等待审核" in page.locator("#comment-posted").inner_text()
    assert "向劳动者致敬" in page.locator("#my-waiting").inner_text()
    assert page.locator("#comment-list .zj-comment").count() == 0
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING

    log_in(page, cw.moderator)
    page.goto(f"{page.base_url}/moderation/comments/")
    row = page.locator(f"#queue li[data-comment='{comment.pk}']")
    row.wait_for()
    axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    row.locator("input[type=checkbox]").check()
    page.select_option("#bulk-action", "approve")
    page.click("#bulk-apply")
    page.wait_for_url(re.compile(r".*/moderation/comments/\?state=pending$"))
    assert "已处理 1 条评论" in page.locator("main").inner_text()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED

    log_in(page, cw.worker)
    page.goto(thread)
    shown = page.locator(f"#comment-{comment.pk}")
    shown.wait_for()
    assert "向劳动者致敬" in shown.inner_text() and "热心职工" in shown.inner_text()
    page.locator("#comment-body-new").wait_for()
    axe_clean(page)
