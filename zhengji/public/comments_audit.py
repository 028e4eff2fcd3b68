"""The audit sentences of the comments area (registered from hooks_comments.connect())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("comments", pgettext_lazy("audit kind", "Comments"), order=40)
    add = actions.add
    add("comment.post", _("%(actor)s posted comment %(object)s"), kind="comments")
    add("comment.report", _("%(actor)s reported comment %(object)s"), kind="comments")
    add("comment.auto_hide", _("%(actor)s: comment %(object)s was hidden after reports"), kind="comments")
    add("comment.approve", _("%(actor)s approved comment %(object)s"), kind="comments")
    add("comment.reject", _("%(actor)s rejected comment %(object)s"), kind="comments")
    add("comment.delete", _("%(actor)s deleted comment %(object)s"), kind="comments")
    add("comment.nickname", _("%(actor)s set the public nickname %(object)s"), kind="comments")
    add("comment.settings", _("%(actor)s changed the comment settings of %(object)s"), kind="comments")
    add("comment.word_add", _("%(actor)s added the sensitive word %(object)s"), kind="comments")
    add("comment.word_remove", _("%(actor)s removed the sensitive word %(object)s"), kind="comments")
