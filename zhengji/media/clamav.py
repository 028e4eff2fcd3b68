"""A virus scanner for the `MEDIA_VIRUS_SCANNER` hook (`media.scanning`) that asks ClamAV's daemon
`clamd` over its INSTREAM protocol, on a unix socket (`MEDIA_CLAMD_SOCKET`) or TCP
(`MEDIA_CLAMD_HOST`, `MEDIA_CLAMD_PORT`). Turn it on with

    MEDIA_VIRUS_SCANNER = "zhengji.media.clamav.scan"

The file is streamed in chunks (`zINSTREAM`, each chunk a 4-byte big-endian length and its bytes,
a zero length to end); clamd answers `stream: OK`, `stream: <signature> FOUND` or `… ERROR`.

What clamd did not read whole is **not scanned**, never clean: a file larger than
`MEDIA_CLAMD_STREAM_MAX_BYTES` (set it to clamd's `StreamMaxLength`, 25 MiB by default) is not
sent at all; clamd's "INSTREAM size limit exceeded" and a connection it closes early are errors;
and with `AlertExceedsMax yes` in clamd.conf (recommended) a file over clamd's own scan limits
(`MaxFileSize`, `MaxScanSize`, …) is reported as `Heuristics.Limits.Exceeded.*`, which is turned
into an error too. Errors carry `reason="too_large"` or `"unavailable"`."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

from .scanning import ScanResult

CHUNK = 256 * 1024
DEFAULT_STREAM_MAX = 25 * 1024 * 1024  # clamd's default StreamMaxLength
LIMIT_SIGNATURES = ("Heuristics.Limits.Exceeded",)


class ClamdError(Exception):
    """clamd could not be reached, answered oddly or in time."""


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def stream_max() -> int:
    return int(_setting("MEDIA_CLAMD_STREAM_MAX_BYTES", DEFAULT_STREAM_MAX))


def _connect() -> socket.socket:
    timeout = float(_setting("MEDIA_CLAMD_TIMEOUT", 60))
    path = _setting("MEDIA_CLAMD_SOCKET", None)
    if path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except OSError:
            sock.close()
            raise
        return sock
    host = _setting("MEDIA_CLAMD_HOST", None)
    if not host:
        raise ClamdError("neither MEDIA_CLAMD_SOCKET nor MEDIA_CLAMD_HOST is set")
    return socket.create_connection((host, int(_setting("MEDIA_CLAMD_PORT", 3310))), timeout=timeout)


def _reply(sock: socket.socket) -> str:
    """clamd's answer up to the NUL that ends it (the z-prefixed commands)."""
    data = b""
    while not data.endswith(b"\0") and len(data) < 4096:
        block = sock.recv(4096)
        if not block:
            break
        data += block
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def ping() -> bool:
    """True when clamd answers PONG."""
    try:
        with contextlib.closing(_connect()) as sock:
            sock.sendall(b"zPING\0")
            return _reply(sock) == "PONG"
    except (OSError, ClamdError):
        return False


def interpret(answer: str) -> ScanResult:
    """clamd's answer to INSTREAM as a ScanResult."""
    body = answer.split(":", 1)[1].strip() if answer.startswith("stream:") else answer
    if body == "OK":
        return ScanResult.clean()
    if body.endswith(" FOUND"):
        signature = body[: -len(" FOUND")].strip()
        if signature.startswith(LIMIT_SIGNATURES):  # over clamd's limits: it did not look at everything
            return ScanResult.error(f"clamd limits: {signature}", reason="too_large")
        return ScanResult.infected(signature)
    if "size limit exceeded" in body.lower():
        return ScanResult.error(f"clamd: {body}", reason="too_large")
    return ScanResult.error(f"clamd: {body or 'no answer'}")


def scan_stream(fh: BinaryIO, size: int | None = None) -> ScanResult:
    """Scan an open binary file with clamd."""
    limit = stream_max()
    if size is not None and size > limit:
        return ScanResult.error(f"{size} bytes > MEDIA_CLAMD_STREAM_MAX_BYTES {limit}: not scanned",
                                reason="too_large")
    try:
        with contextlib.closing(_connect()) as sock:
            sock.sendall(b"zINSTREAM\0")
            sent = 0
            try:
                while block := fh.read(CHUNK):
                    sent += len(block)
                    if sent > limit:  # the file grew, or its size was not known
                        return ScanResult.error(f"over {limit} bytes: not scanned", reason="too_large")
                    sock.sendall(struct.pack("!L", len(block)) + block)
                sock.sendall(struct.pack("!L", 0))
            except (BrokenPipeError, ConnectionResetError):
                # clamd hangs up when the stream passes its StreamMaxLength; its reason may be waiting.
                with contextlib.suppress(OSError):
                    answer = _reply(sock)
                    if answer:
                        result = interpret(answer)
                        if result.status == "error":
                            return result
                return ScanResult.error("clamd closed the connection while the file was sent",
                                        reason="too_large")
            answer = _reply(sock)
    except TimeoutError as exc:
        return ScanResult.error(f"clamd timed out: {exc}")
    except (OSError, ClamdError) as exc:
        return ScanResult.error(f"clamd unavailable: {exc.__class__.__name__}: {exc}")
    return interpret(answer)


def scan(path: Path, *, filename: str = "", content_type: str = "") -> ScanResult:
    """The `MEDIA_VIRUS_SCANNER` entry point."""
    with open(path, "rb") as fh:
        return scan_stream(fh, os.fstat(fh.fileno()).st_size)
