"""The virus-scan hook: every ingested file is handed to the scanner named by the setting
`MEDIA_VIRUS_SCANNER` (a dotted path to a callable; default None, no scan) after the content checks
and before it is accepted.

    def scanner(path: pathlib.Path, *, filename: str, content_type: str) -> ScanResult: ...

`ScanResult.status` is "clean", "infected" (`signature` names what was found) or "error" (the
scanner could not tell: daemon down, timeout). An infected file is refused with a message naming
the signature; on "error", or when the scanner raises, the file is refused as "could not be
scanned, try again later" (503), or, for `reason="too_large"` (over the scanner's limits), as "too
large to be scanned" (400): a file the scanner did not read whole is never taken for clean. With
`MEDIA_VIRUS_SCAN_FAIL_OPEN` on, such a file is accepted, the failure logged and the file recorded
as unscanned (`probe["virus_scan"]`). The ClamAV scanner is `zhengji.media.clamav.scan`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

Status = Literal["clean", "infected", "error"]


@dataclass(frozen=True)
class ScanResult:
    status: Status
    signature: str = ""  # what was found, for "infected"
    detail: str = ""  # why it failed, for "error" (logged, not shown)
    # For "error": "unavailable" (daemon down, timeout: try again later) or "too_large" (over the
    # scanner's limits: not scanned, and trying again will not help).
    reason: str = ""

    @classmethod
    def clean(cls) -> ScanResult:
        return cls("clean")

    @classmethod
    def infected(cls, signature: str) -> ScanResult:
        return cls("infected", signature=signature)

    @classmethod
    def error(cls, detail: str, *, reason: str = "unavailable") -> ScanResult:
        return cls("error", detail=detail, reason=reason)


Scanner = Callable[..., ScanResult]


def scanner() -> Scanner | None:
    """The configured scanner, or None when scanning is off."""
    dotted = getattr(settings, "MEDIA_VIRUS_SCANNER", None)
    if not dotted:
        return None
    if callable(dotted):
        return dotted
    return import_string(dotted)


def scan(path: Path, *, filename: str, content_type: str) -> ScanResult | None:
    """Run the configured scanner on a local file; None when no scanner is configured. A scanner
    that raises or returns something else counts as "error"."""
    fn = scanner()
    if fn is None:
        return None
    try:
        result = fn(path, filename=filename, content_type=content_type)
    except Exception as exc:  # noqa: BLE001 (a broken scanner is an "error" result, never a 500)
        log.exception("virus scanner failed on %s", filename)
        return ScanResult.error(f"{exc.__class__.__name__}: {exc}")
    if not isinstance(result, ScanResult) or result.status not in ("clean", "infected", "error"):
        return ScanResult.error(f"scanner returned {result!r}")
    if result.status == "infected":
        log.warning("virus scan: %s is infected (%s)", filename, result.signature)
    elif result.status == "error":
        log.warning("virus scan: %s could not be scanned (%s)", filename, result.detail)
    return result


def fail_open() -> bool:
    return bool(getattr(settings, "MEDIA_VIRUS_SCAN_FAIL_OPEN", False))
