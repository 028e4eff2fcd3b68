"""Pluggable SMS senders. A real provider plugs in by subclassing BaseSMSBackend and naming the
class in the SMS_BACKEND setting; see docs/sms.md."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# Messages sent through LocMemSMSBackend, for tests (like django.core.mail.outbox).
outbox: list[dict] = []


class BaseSMSBackend:
    def send(self, phone: str, message: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        print(f"[SMS to {phone}] {message}", flush=True)


class FileSMSBackend(BaseSMSBackend):
    """Appends each message as one JSON line to var/sms/outbox.jsonl and logs it."""

    def send(self, phone: str, message: str) -> None:
        directory = Path(settings.SMS_FILE_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": datetime.now().isoformat(), "phone": phone, "message": message},
                          ensure_ascii=False)
        with open(directory / "outbox.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        log.info("SMS to %s: %s", phone, message)


class LocMemSMSBackend(BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        outbox.append({"phone": phone, "message": message})


def signed(message: str, *, at: datetime | None = None) -> str:
    """Every SMS reads the same way: the signature first (`SMS_SIGNATURE`, "【征集】", as Chinese
    providers require), the text, and the date it was sent (Beijing time) last:
    "【征集】您的验证码是 123456，5 分钟内有效，请勿告诉他人。（2026-12-04）"."""
    signature = settings.SMS_SIGNATURE
    text = str(message).strip()
    if text.startswith(signature):
        text = text[len(signature):].lstrip()
    day = timezone.localtime(at or timezone.now()).date().isoformat()
    return f"{signature}{text}（{day}）"


def send_sms(phone: str, message: str) -> None:
    """Send `message` to `phone` through the configured backend, signed and dated (`signed`):
    callers pass the bare text."""
    import_string(settings.SMS_BACKEND)().send(phone, signed(message))
