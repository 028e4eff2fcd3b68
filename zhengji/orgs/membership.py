"""Domain functions for membership of a grassroots union and invite codes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengji.accounts.models import RoleAssignment, User
from zhengji.accounts.scopes import UNIT_ADMIN
from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.i18n import localized
from zhengji.common.notify import notify, notify_many

from .models import Invite, Membership, MembershipStatus, Organization

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


@transaction.atomic
def join_org(user: Any, org: Organization, *, notify_admins: bool = True) -> Membership:
    """A worker asks to join a union; a unit admin confirms it later. The admins of the union and
    of the level above are told at once (site notification and SMS, after commit)."""
    if not org.is_active:
        raise DomainError(_("This organisation is no longer active."), code="org_inactive")
    if not org.takes_members:
        raise DomainError(_("%(org)s is a federation level, not a grassroots union: choose the grassroots union "
                            "of your workplace under it.") % {"org": localized(org, "name")},
                          code="not_grassroots")
    before = None
    m = Membership.objects.select_for_update().filter(user=user).first()
    if m is not None:
        before = {"org": m.org_id, "status": m.status}
        m.org = org
        m.status = MembershipStatus.PENDING
        m.via_invite = None
        m.confirmed_at = None
        m.confirmed_by = None
        m.decision_reason = ""
        m.requested_at = timezone.now()
        m.save()
    else:
        m = Membership.objects.create(user=user, org=org, requested_at=timezone.now())
    audit.record("membership.request", m, actor=user, before=before, after={"org": org.pk, "status": m.status},
                 scope=audit.AuditScope(org_path=org.path))
    if notify_admins:
        transaction.on_commit(lambda: _notify_admins_of_request(m))
    return m


def unit_admins_for(org: Organization) -> list[User]:
    """Active unit admins of `org` and of the level directly above it (two queries)."""
    step = Organization.steplen
    paths = [org.path] + ([org.path[:-step]] if len(org.path) > step else [])
    org_ids = list(Organization.objects.filter(path__in=paths).values_list("pk", flat=True))
    user_ids = RoleAssignment.objects.filter(role=UNIT_ADMIN, scope_type="orgs.organization",
                                             scope_id__in=org_ids).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _notify_admins_of_request(m: Membership) -> None:
    name = m.user.real_name or m.user.phone or str(m.user)
    title = _("%(name)s asks to join %(org)s") % {"name": name, "org": m.org.name}
    body = _("Confirm or decline the request in the queue of members awaiting confirmation.")
    sms = _("%(name)s asks to join %(org)s. Please confirm it on the platform (Members awaiting "
            "confirmation).") % {"name": name, "org": m.org.name}
    url = reverse("orgs:pending") + f"?unit={m.org_id}"
    notify_many(unit_admins_for(m.org), title, body, url, sms=sms)


@transaction.atomic
def join_by_invite(user: Any, code: str) -> Membership:
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
    m = join_org(user, invite.org, notify_admins=False)  # confirmed at once: nobody needs to act
    m.status = MembershipStatus.CONFIRMED
    m.via_invite = invite
    m.confirmed_at = now
    m.save()
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    audit.record("membership.join_by_invite", m, actor=user, after={"org": invite.org_id, "invite": invite.code},
                 scope=audit.AuditScope(org_path=invite.org.path))
    return m


def _check_admin(actor: Any, org: Organization) -> None:
    if not actor.has_perm("orgs.manage_members", org):
        raise NotPermitted(_("You do not administer this organisation."))


@transaction.atomic
def create_invite(actor: Any, org: Organization, *, expires_at: dt.datetime | None = None,
                  max_uses: int | None = None) -> Invite:
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
def revoke_invite(actor: Any, invite: Invite) -> None:
    _check_admin(actor, invite.org)
    invite.revoked = True
    invite.save(update_fields=["revoked"])
    audit.record("invite.revoke", invite, actor=actor, scope=audit.AuditScope(org_path=invite.org.path))


MAX_BATCH = 200


def decide_membership(actor: Any, membership: Membership, *, confirm: bool, reason: str = "") -> Membership:
    """One membership: the batch function with a batch of one."""
    return decide_memberships(actor, [membership.pk], confirm=confirm, reason=reason)[0]


@transaction.atomic
def decide_memberships(actor: Any, ids: Iterable[int], *, confirm: bool, reason: str = "") -> list[Membership]:
    """Confirm or decline many membership requests at once, all or nothing: every one must exist
    and lie in a subtree the actor administers, or nothing changes. A decline may carry a reason
    (shown to the worker). One audit record per membership; the workers are told after commit."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise DomainError(_("Choose at least one request."), code="nothing_chosen")
    if len(wanted) > MAX_BATCH:
        raise DomainError(_("At most %(n)d requests at a time.") % {"n": MAX_BATCH}, code="too_many")
    reason = (reason or "").replace("\x00", "").strip()
    if len(reason) > 500:
        raise DomainError(_("The reason is too long (at most 500 characters)."), code="too_long", field="reason")
    rows = list(Membership.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    if len(rows) != len(wanted):
        raise DomainError(_("Some requests were not found; nothing was changed."), code="not_found", status=404)
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={m.org_id for m in rows})}
    users = {u.pk: u for u in User.objects.filter(pk__in={m.user_id for m in rows})}
    for m in rows:
        m.org = orgs[m.org_id]
        m.user = users[m.user_id]
        if not actor.has_perm("orgs.manage_members", m.org):
            raise NotPermitted(_("You do not administer this organisation."))
    now = timezone.now()
    new_status = MembershipStatus.CONFIRMED if confirm else MembershipStatus.REJECTED
    records = []
    for m in rows:
        before = {"status": m.status}
        m.status = new_status
        m.confirmed_at = now if confirm else None
        m.confirmed_by = actor
        m.decision_reason = "" if confirm else reason
        records.append(audit.AuditRecord("membership.confirm" if confirm else "membership.reject", m,
                                         before=before, after={"status": m.status}, reason=reason,
                                         scope=audit.AuditScope(org_path=m.org.path)))
    Membership.objects.bulk_update(rows, ["status", "confirmed_at", "confirmed_by", "decision_reason"])
    audit.record_many(records, actor=actor)
    transaction.on_commit(lambda: _notify_decided(rows, confirm, reason))
    return rows


def _notify_decided(rows: list[Membership], confirm: bool, reason: str) -> None:
    for m in rows:
        if confirm:
            title = _("Your membership of %(org)s was confirmed.") % {"org": m.org.name}
            notify(m.user, title, _("You can now enter the campaigns of your union."),
                   reverse("entries:choose_track"), sms=title)
        else:
            title = _("Your request to join %(org)s was declined.") % {"org": m.org.name}
            body = (_("Reason: %(reason)s") % {"reason": reason}) if reason else ""
            notify(m.user, title, body, reverse("join:index"), sms=" ".join([title, body]).strip())
