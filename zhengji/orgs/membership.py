"""Domain functions for membership of a grassroots union and invite codes."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.notify import notify

from .models import Invite, Membership, MembershipStatus, Organization

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@transaction.atomic
def join_org(user, org: Organization) -> Membership:
    """A worker asks to join a union; a unit admin confirms it later."""
    if not org.is_active:
        raise DomainError(_("This organisation is no longer active."), code="org_inactive")
    before = None
    m = Membership.objects.select_for_update().filter(user=user).first()
    if m is not None:
        before = {"org": m.org_id, "status": m.status}
        m.org = org
        m.status = MembershipStatus.PENDING
        m.via_invite = None
        m.confirmed_at = None
        m.confirmed_by = None
        m.save()
    else:
        m = Membership.objects.create(user=user, org=org)
    audit.record("membership.request", m, actor=user, before=before, after={"org": org.pk, "status": m.status},
                 scope=audit.AuditScope(org_path=org.path))
    return m


@transaction.atomic
def join_by_invite(user, code: str) -> Membership:
    """Joining through a unit admin's invite confirms the membership at once."""
    code = (code or "").strip().upper()
    invite = Invite.objects.select_for_update().select_related("org").filter(code=code).first()
    now = timezone.now()
    if invite is None or invite.revoked:
        raise DomainError(_("This invite code is not valid."), code="invite_invalid", field="code")
    if invite.expires_at and invite.expires_at < now:
        raise DomainError(_("This invite code has expired."), code="invite_expired", field="code")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise DomainError(_("This invite code has been used up."), code="invite_used_up", field="code")
    m = join_org(user, invite.org)
    m.status = MembershipStatus.CONFIRMED
    m.via_invite = invite
    m.confirmed_at = now
    m.save()
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    audit.record("membership.join_by_invite", m, actor=user, after={"org": invite.org_id, "invite": invite.code},
                 scope=audit.AuditScope(org_path=invite.org.path))
    return m


def _check_admin(actor, org: Organization) -> None:
    if not actor.has_perm("orgs.manage_members", org):
        raise NotPermitted(_("You do not administer this organisation."))


@transaction.atomic
def create_invite(actor, org: Organization, *, expires_at=None, max_uses: int | None = None) -> Invite:
    _check_admin(actor, org)
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not Invite.objects.filter(code=code).exists():
            break
    invite = Invite.objects.create(org=org, code=code, created_by=actor, expires_at=expires_at, max_uses=max_uses)
    audit.record("invite.create", invite, actor=actor, after={"code": code, "max_uses": max_uses},
                 scope=audit.AuditScope(org_path=org.path))
    return invite


@transaction.atomic
def revoke_invite(actor, invite: Invite) -> None:
    _check_admin(actor, invite.org)
    invite.revoked = True
    invite.save(update_fields=["revoked"])
    audit.record("invite.revoke", invite, actor=actor, scope=audit.AuditScope(org_path=invite.org.path))


@transaction.atomic
def decide_membership(actor, membership: Membership, *, confirm: bool) -> Membership:
    _check_admin(actor, membership.org)
    before = {"status": membership.status}
    membership.status = MembershipStatus.CONFIRMED if confirm else MembershipStatus.REJECTED
    membership.confirmed_at = timezone.now() if confirm else None
    membership.confirmed_by = actor
    membership.save()
    audit.record("membership.confirm" if confirm else "membership.reject", membership, actor=actor,
                 before=before, after={"status": membership.status},
                 scope=audit.AuditScope(org_path=membership.org.path))
    notify(membership.user,
           _("Your membership of %(org)s was confirmed.") % {"org": membership.org.name} if confirm
           else _("Your request to join %(org)s was declined.") % {"org": membership.org.name})
    return membership
