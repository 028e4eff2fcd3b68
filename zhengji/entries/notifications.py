"""Messages to the entrant about their entry: in-site, SMS to the contact phone, and e-mail when
the account has an address. One function per event. SMS and e-mail go out only after the
transaction commits (no message about a change that was rolled back)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from zhengji.common.notify import notify
from zhengji.common.sms import send_sms

from .models import Entry

log = logging.getLogger(__name__)


def _url(entry: Entry) -> str:
    return reverse("entries:detail", args=[entry.pk])


def _send(entry: Entry, title: str, body: str) -> None:
    user = entry.submitter
    path = _url(entry)
    notify(user, title, body, url=path)
    phone = entry.contact_phone or user.phone
    email = user.email
    link = settings.SITE_URL.rstrip("/") + path
    sms_text = f"{title} {body}"

    def deliver() -> None:
        if phone:
            send_sms(phone, sms_text)
        if email:
            send_mail(title, f"{body}\n\n{link}", None, [email])

    transaction.on_commit(deliver, robust=True)


def _label(entry: Entry) -> str:
    return f"《{entry.title}》" if entry.title else (entry.number or "")


def entry_submitted(entry: Entry, *, resubmitted: bool = False) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        if resubmitted:
            title = _("Entry %(number)s resubmitted") % {"number": entry.number}
            body = _("Your entry %(title)s was resubmitted; entry number %(number)s.") % {
                "title": _label(entry), "number": entry.number}
        else:
            title = _("Entry %(number)s submitted") % {"number": entry.number}
            body = _("Your entry %(title)s was received; entry number %(number)s. You may edit it until the "
                     "deadline.") % {"title": _label(entry), "number": entry.number}
        _send(entry, title, body)


def entry_withdrawn(entry: Entry) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Entry withdrawn")
        body = _("Your entry %(title)s was withdrawn.") % {"title": _label(entry)}
        _send(entry, title, body)


def entry_returned(entry: Entry, reason: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Entry %(number)s returned for changes") % {"number": entry.number or ""}
        body = _("Your entry %(title)s was returned for changes: %(reason)s. Please edit and resubmit it "
                 "before the deadline.") % {"title": _label(entry), "reason": reason}
        _send(entry, title, body)
