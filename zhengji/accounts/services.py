"""Domain functions for roles. Every change is one transaction with an audit record."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.notify import notify

from .models import ROLE_SCOPE, Role, RoleAssignment
from .rules import can_grant
from .scopes import forget_scopes


def _scope_kwargs(role: str, org, track, campaign) -> dict:
    need = ROLE_SCOPE[Role(role)]
    scope = {"org": org, "track": track, "campaign": campaign}
    if scope[need] is None or any(v is not None for k, v in scope.items() if k != need):
        raise DomainError(_("This role needs exactly one scope: %(scope)s.") % {"scope": need}, code="bad_scope")
    return {need: scope[need]}


@transaction.atomic
def grant_role(actor, user, role: str, *, org=None, track=None, campaign=None) -> RoleAssignment:
    kwargs = _scope_kwargs(role, org, track, campaign)
    if not can_grant(actor, role, org=org, track=track, campaign=campaign):
        raise NotPermitted(_("You may not grant this role in this scope."))
    ra, created = RoleAssignment.objects.get_or_create(user=user, role=role, **kwargs,
                                                       defaults={"granted_by": actor})
    if created:
        audit.record("role.grant", ra, actor=actor, after={"user": user.pk, "role": role},
                     org_path=org.path if org else "",
                     campaign_id=(campaign.pk if campaign else (track.campaign_id if track else None)))
        notify(user, _("You were given the role %(role)s for %(scope)s.")
               % {"role": Role(role).label, "scope": ra.scope})
        forget_scopes(user)
    return ra


@transaction.atomic
def revoke_role(actor, assignment: RoleAssignment) -> None:
    if not can_grant(actor, assignment.role, org=assignment.org, track=assignment.track,
                     campaign=assignment.campaign):
        raise NotPermitted(_("You may not revoke this role."))
    audit.record("role.revoke", assignment, actor=actor,
                 before={"user": assignment.user_id, "role": assignment.role},
                 org_path=assignment.org.path if assignment.org else "",
                 campaign_id=assignment.campaign_id or (assignment.track.campaign_id if assignment.track else None))
    user = assignment.user
    assignment.delete()
    forget_scopes(user)
