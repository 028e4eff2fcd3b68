"""The sentences the audit log shows for judging's action codes (common.registry.audit_actions;
registered in the app's ready()). Every code review writes is listed here: add a new one here
first (tests/common/test_audit_sentences.py fails for a code without a sentence)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengji.common import registry


def register() -> None:
    actions = registry.audit_actions
    actions.kind("review", pgettext_lazy("audit kind", "Judging and results"), order=25)
    add = actions.add
    # Entry steps.
    add("entry.vet_eligible", _("%(actor)s found entry %(object)s eligible"), kind="review")
    add("entry.disqualify", _("%(actor)s disqualified entry %(object)s"), kind="review")
    add("entry.requalify", _("%(actor)s made entry %(object)s eligible again"), kind="review")
    add("entry.scored", _("%(actor)s closed the scoring of entry %(object)s"), kind="review")
    add("entry.award", _("%(actor)s awarded entry %(object)s"), kind="review")
    add("entry.not_award", _("%(actor)s decided entry %(object)s is not awarded"), kind="review")
    add("entry.reopen_result", _("%(actor)s reopened the result of entry %(object)s"), kind="review")
    # Set-up.
    add("review.setup_change", _("%(actor)s changed the review settings of %(object)s"), kind="review")
    add("review.round_create", _("%(actor)s added the review round %(object)s"), kind="review")
    add("review.round_change", _("%(actor)s changed the review round %(object)s"), kind="review")
    add("review.round_delete", _("%(actor)s deleted the review round %(object)s"), kind="review")
    add("review.round_open", _("%(actor)s opened the review round %(object)s"), kind="review")
    add("review.round_close", _("%(actor)s closed the review round %(object)s"), kind="review")
    add("review.criteria_change", _("%(actor)s changed the rubric of %(object)s"), kind="review")
    add("review.tiers_change", _("%(actor)s changed the award tiers of %(object)s"), kind="review")
    add("review.holiday_change", _("%(actor)s changed the public holidays of %(object)s"), kind="review")
    # Panel and conflicts.
    add("review.panel_invite", _("%(actor)s invited judge %(object)s"), kind="review")
    add("review.panel_change", _("%(actor)s changed the panel seat of %(object)s"), kind="review")
    add("review.panel_remove", _("%(actor)s removed judge %(object)s from the panel"), kind="review")
    add("review.conflict_declare", _("%(actor)s declared a conflict of interest on %(object)s"), kind="review")
    add("review.conflict_set", _("%(actor)s recorded a conflict of interest on %(object)s"), kind="review")
    add("review.conflict_remove", _("%(actor)s removed a conflict of interest on %(object)s"), kind="review")
    # Assignment.
    add("review.assign_apply", _("%(actor)s applied the automatic assignment of %(object)s"), kind="review")
    add("review.assign_add", _("%(actor)s assigned a judge to %(object)s"), kind="review")
    add("review.assign_remove", _("%(actor)s removed a judge from %(object)s"), kind="review")
    add("review.judge_replace", _("%(actor)s replaced a judge in %(object)s"), kind="review")
    add("review.reminder_send", _("%(actor)s reminded the judges of %(object)s"), kind="review")
    # Scores.
    add("review.score_save", _("%(actor)s saved a draft score of %(object)s"), kind="review", collapsible=True)
    add("review.score_submit", _("%(actor)s submitted a score of %(object)s"), kind="review")
    add("review.blind_download", _("%(actor)s downloaded a file of %(object)s for judging"), kind="review")
    add("review.export", _("%(actor)s exported the scores of %(object)s"), kind="review")
    # Results.
    add("review.advance", _("%(actor)s advanced entries to %(object)s"), kind="review")
    add("review.decide", _("%(actor)s decided the result of %(object)s"), kind="review")
    add("review.freeze", _("%(actor)s froze the results of %(object)s"), kind="review")
    add("review.reopen", _("%(actor)s reopened the frozen results of %(object)s"), kind="review")
    # Publicity and objections.
    add("review.publicity_publish", _("%(actor)s put the results of %(object)s on public notice"), kind="review")
    add("review.publicity_withdraw", _("%(actor)s withdrew the public notice %(object)s"), kind="review")
    add("review.publicity_finalise", _("%(actor)s finalised the results of %(object)s"), kind="review")
    add("review.objection_file", _("%(actor)s filed an objection %(object)s"), kind="review")
    add("review.objection_uphold", _("%(actor)s upheld the objection %(object)s"), kind="review")
    add("review.objection_dismiss", _("%(actor)s dismissed the objection %(object)s"), kind="review")
    # Notice and certificates.
    add("review.notice_save", _("%(actor)s edited the results notice %(object)s"), kind="review")
    add("review.notice_template", _("%(actor)s replaced the Word template of %(object)s"), kind="review")
    add("review.notice_publish", _("%(actor)s published the results notice %(object)s"), kind="review")
    add("review.certificate_issue", _("%(actor)s issued the award certificates of %(object)s"), kind="review")
    add("review.certificate_revoke", _("%(actor)s revoked the certificate %(object)s"), kind="review")
