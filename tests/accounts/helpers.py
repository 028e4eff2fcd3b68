"""Helpers for the accounts tests: read codes from the SMS outbox, compute TOTP codes."""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time

from zhengji.common import sms


def last_code(phone: str) -> str:
    for msg in reversed(sms.outbox):
        if msg["phone"] == phone:
            return re.search(r"\b(\d{6})\b", msg["message"]).group(1)
    raise AssertionError(f"no SMS to {phone}")


def totp_now(key: bytes, *, step: int = 30, digits: int = 6, at: float | None = None, offset: int = 0) -> str:
    """RFC 6238, written out here so the test does not trust the code it checks."""
    counter = int((at if at is not None else time.time()) // step) + offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return f"{value:0{digits}d}"
