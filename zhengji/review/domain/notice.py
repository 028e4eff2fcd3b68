"""Domain functions of the results notice (通报) and the award certificates.

Permission: `review.manage_notice` on the campaign (its admins, superusers); host staff of a track
do not edit the campaign's notice. Certificates: `review.manage_certificates` (the same people).
Each function locks the row that must not race, checks, changes, audits and notifies on commit.

A published notice is an official document: it is not edited afterwards (issue a new one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Campaign, Track
from zhengji.common import audit
from zhengji.common.audit import AuditScope
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.notify import notify_many
from zhengji.entries.models import Entry

from .. import notice as notice_doc
from ..models import Certificate, Notice, ResultLine

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# A .docx is a zip: refuse one that unpacks to more than this (a zip bomb).
MAX_TEMPLATE_UNPACKED = 50 * 1024 * 1024
MAX_HONOURS = 300
HONOUR_KINDS = ("unit", "person")
LIMITS = {"issuer": 200, "number": 60, "title": 200, "recipients": 300, "body": 20000}


def _check_notice(actor: Any, campaign: Campaign) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not actor.has_perm("review.manage_notice", campaign):
        raise NotPermitted(_("Only the campaign's administrators may edit its results notice."))


def _check_certificates(actor: Any, obj: Any) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotPermitted(_("Please log in."))
    if not actor.has_perm("review.manage_certificates", obj):
        raise NotPermitted(_("Only the campaign's administrators may issue or revoke its certificates."))


def _lock(notice: Notice) -> Notice:
    return Notice.objects.select_for_update(of=("self",)).select_related("campaign__org").get(pk=notice.pk)


def _state(n: Notice) -> dict[str, Any]:
    return {"issuer": n.issuer, "number": n.number, "title": n.title, "recipients": n.recipients,
            "body": n.body, "issued_on": n.issued_on.isoformat() if n.issued_on else None,
            "honours": list(n.honours or [])}


def clean_text(name: str, value: Any) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > LIMITS[name]:
        raise DomainError(_("This text is too long (at most %(n)d characters).") % {"n": LIMITS[name]},
                          code="too_long", field=name)
    return text


def clean_honours(value: Any) -> list[dict[str, str]]:
    """[{"kind": "unit"|"person", "name": …, "unit": …}], names required, duplicates dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise DomainError(_("The honours must be a list."), code="invalid", field="honours")
    if len(value) > MAX_HONOURS:
        raise DomainError(_("At most %(n)d honours.") % {"n": MAX_HONOURS}, code="invalid", field="honours")
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for item in value:
        if not isinstance(item, dict):
            raise DomainError(_("Each honour needs a kind and a name."), code="invalid", field="honours")
        kind = str(item.get("kind", "")).strip()
        name = str(item.get("name", "")).replace("\x00", "").strip()[:200]
        unit = str(item.get("unit", "") or "").replace("\x00", "").strip()[:200]
        if kind not in HONOUR_KINDS or not name:
            raise DomainError(_("Each honour needs a kind (unit or person) and a name."), code="invalid",
                              field="honours")
        key = (kind, name, unit)
        if key not in seen:
            seen.add(key)
            out.append({"kind": kind, "name": name, "unit": unit})
    return out


def default_title(campaign: Campaign) -> str:
    return _("Notice on the awarded works, outstanding organising units and individuals of %(campaign)s") % {
        "campaign": campaign.name}


def default_body(campaign: Campaign) -> str:
    return _("%(campaign)s has been judged and its results were on public notice. The awarded works, "
             "outstanding organising units and outstanding individuals are hereby announced as follows.") % {
        "campaign": campaign.name}


def create_notice(actor: Any, campaign: Campaign, *, issuer: str = "", number: str = "", title: str = "",
                  recipients: str = "", body: str = "", issued_on: dt.date | None = None,
                  honours: list[dict[str, Any]] | None = None) -> Notice:
    """A draft notice of the campaign, with the issuer, title and body filled in by default."""
    _check_notice(actor, campaign)
    with translation.override(notice_doc.NOTICE_LANGUAGE), transaction.atomic():
        n = Notice.objects.create(
            campaign=campaign, issuer=clean_text("issuer", issuer) or campaign.org.name,
            number=clean_text("number", number), title=clean_text("title", title) or default_title(campaign),
            recipients=clean_text("recipients", recipients), body=clean_text("body", body) or default_body(campaign),
            issued_on=issued_on or timezone.localdate(), honours=clean_honours(honours), created_by=actor)
        audit.record("review.notice_save", n, actor=actor, before=None, after=_state(n))
    return n


_UNSET: Any = object()


def update_notice(actor: Any, notice: Notice, *, issuer: Any = _UNSET, number: Any = _UNSET, title: Any = _UNSET,
                  recipients: Any = _UNSET, body: Any = _UNSET, issued_on: Any = _UNSET,
                  honours: Any = _UNSET) -> Notice:
    """Change the fields given (the others stay); refused once the notice is published."""
    _check_notice(actor, notice.campaign)
    with transaction.atomic():
        n = _lock(notice)
        if n.published_at is not None:
            raise DomainError(_("This notice is published and can no longer be changed; issue a new one."),
                              code="notice_published", status=409)
        before = _state(n)
        for name, value in (("issuer", issuer), ("number", number), ("title", title), ("recipients", recipients),
                            ("body", body)):
            if value is not _UNSET:
                setattr(n, name, clean_text(name, value))
        if issued_on is not _UNSET:
            if not isinstance(issued_on, dt.date):
                raise DomainError(_("Enter a valid date."), code="invalid", field="issued_on")
            n.issued_on = issued_on
        if honours is not _UNSET:
            n.honours = clean_honours(honours)
        if not n.issuer or not n.title:
            raise DomainError(_("The issuing body and the title are required."), code="required",
                              field="issuer" if not n.issuer else "title")
        after = _state(n)
        if after != before:
            n.save()
            audit.record("review.notice_save", n, actor=actor, before=before, after=after)
    return n


def check_docx(data: bytes) -> None:
    """A .docx: a zip with word/document.xml, not too big packed or unpacked."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise DomainError(_("The template is too large (at most 5 MB)."), code="too_large", field="template")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        names, unpacked = set(), 0
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise DomainError(_("This file is not a Word document (.docx)."), code="not_docx", field="template")
    if unpacked > MAX_TEMPLATE_UNPACKED:
        raise DomainError(_("The template is too large (at most 5 MB)."), code="too_large", field="template")


def replace_template(actor: Any, notice: Notice, upload: Any) -> Notice:
    """Use an uploaded Word template (docxtpl tags, see docs/review-notice.md) for this notice.
    `upload` is a file (`.read()`, `.name`); None goes back to the default template. The
    template must be a .docx that renders with this notice's data, or it is refused with the
    reason."""
    _check_notice(actor, notice.campaign)
    data = b""
    if upload is not None:
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_TEMPLATE_BYTES:
            raise DomainError(_("The template is too large (at most 5 MB)."), code="too_large", field="template")
        data = upload.read(MAX_TEMPLATE_BYTES + 1)
        check_docx(data)
    with transaction.atomic():
        n = _lock(notice)
        if n.published_at is not None:
            raise DomainError(_("This notice is published and can no longer be changed; issue a new one."),
                              code="notice_published", status=409)
        if data:
            try:
                notice_doc.render_template_bytes(data, notice_doc.content(n).context())
            except notice_doc.TemplateProblem as exc:
                raise DomainError(str(exc), code="bad_template", field="template") from exc
        before = {"template": n.template.name or None}
        old = n.template.name
        if data:
            n.template.save(f"notice-{n.pk}.docx", ContentFile(data), save=False)
        else:
            n.template = ""
        n.save(update_fields=["template", "updated"])
        audit.record("review.notice_template", n, actor=actor, before=before,
                     after={"template": n.template.name or None,
                            "sha256": hashlib.sha256(data).hexdigest() if data else None})
        if old and old != n.template.name:
            storage, name = n.template.storage, old
            transaction.on_commit(lambda: storage.delete(name))
    return n


def publish_notice(actor: Any, notice: Notice) -> Notice:
    """Render the .docx and the PDF, store both and publish the notice on the public site."""
    _check_notice(actor, notice.campaign)
    with transaction.atomic():
        n = _lock(notice)
        if n.published_at is not None:
            raise DomainError(_("This notice is already published."), code="already_published", status=409)
        missing = [f for f in ("issuer", "number", "title") if not getattr(n, f)]
        if missing:
            raise DomainError(_("Fill in the issuing body, the document number and the title first."),
                              code="required", field=missing[0])
        if not notice_doc.awarded_lines(n.campaign_id):
            raise DomainError(_("No track of this campaign has finalised awards yet."), code="nothing_awarded",
                              status=409)
        try:
            docx = notice_doc.render_docx(n)
        except notice_doc.TemplateProblem as exc:
            raise DomainError(str(exc), code="bad_template", field="template") from exc
        pdf = notice_doc.render_pdf(n)
        n.docx.save(f"notice-{n.pk}.docx", ContentFile(docx), save=False)
        n.pdf.save(f"notice-{n.pk}.pdf", ContentFile(pdf), save=False)
        n.published_at = timezone.now()
        n.save(update_fields=["docx", "pdf", "published_at", "updated"])
        audit.record("review.notice_publish", n, actor=actor, before={"published": False},
                     after={"published": True, "number": n.number, "docx_sha256": hashlib.sha256(docx).hexdigest(),
                            "pdf_sha256": hashlib.sha256(pdf).hexdigest()})
    return n


# --- certificates ---------------------------------------------------------------------------------

@dataclass
class Issued:
    created: int
    existing: int
    certificates: list[Certificate]


def issue_certificates(actor: Any, track: Track) -> Issued:
    """A certificate for every awarded entry of the track that has none (idempotent), with the
    tier name of its result line. The entrants are told on commit."""
    _check_certificates(actor, track)
    with transaction.atomic():
        # One issuer at a time per track: the track row is the lock.
        locked = Track.objects.select_for_update().select_related("campaign", "host_unit").get(pk=track.pk)
        lines = list(ResultLine.objects.filter(track=locked, tier__isnull=False,
                                               entry__status__in=notice_doc.AWARDED_STATES)
                     .select_related("tier").only("entry_id", "tier__name").order_by("tier__position", "rank", "id"))
        have = set(Certificate.objects.filter(entry_id__in=[x.entry_id for x in lines]).values_list("entry_id",
                                                                                                       flat=True))
        new = [Certificate(entry_id=x.entry_id, tier_name=x.tier.name) for x in lines
               if x.tier is not None and x.entry_id not in have]
        Certificate.objects.bulk_create(new, batch_size=1000)
        created = list(Certificate.objects.filter(entry_id__in=[c.entry_id for c in new]).select_related("entry"))
        if created:
            audit.record("review.certificate_issue", locked, actor=actor, before={"issued": len(have)},
                         after={"issued": len(have) + len(created), "created": len(created)},
                         scope=AuditScope(org_path=locked.host_unit.path, campaign_id=locked.campaign_id))
            submitters = {c.entry.submitter_id for c in created}
            transaction.on_commit(lambda: _tell_entrants(submitters, locked))
    return Issued(created=len(created), existing=len(have), certificates=created)


def _tell_entrants(user_ids: set[int], track: Track) -> None:
    users = get_user_model().objects.filter(pk__in=user_ids)
    notify_many(users, _("Your award certificate is ready"),
                _("The award certificate of your entry in %(track)s can be downloaded.") % {"track": track.name},
                url=reverse("review:my_certificates"))


def revoke_certificate(actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate (its page then says so); a reason is required."""
    entry = Entry.objects.select_related("track__host_unit").get(pk=certificate.entry_id)
    _check_certificates(actor, entry)
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise DomainError(_("Say why."), code="reason_required", field="reason")
    with transaction.atomic():
        c = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if c.revoked_at is not None:
            raise DomainError(_("This certificate is already revoked."), code="already_revoked", status=409)
        c.revoked_at = timezone.now()
        c.save(update_fields=["revoked_at"])
        audit.record("review.certificate_revoke", c, actor=actor, before={"revoked": False},
                     after={"revoked": True, "entry": c.entry_id}, reason=reason,
                     scope=AuditScope(org_path=entry.track.host_unit.path, campaign_id=entry.track.campaign_id))
    return c


__all__ = ["Issued", "clean_honours", "create_notice", "issue_certificates", "publish_notice", "replace_template",
           "revoke_certificate", "update_notice"]
