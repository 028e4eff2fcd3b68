"""A tus 1.0.0 server (core, creation, termination, checksum, expiration) in plain Django views.

Protocol: https://tus.io/protocols/resumable-upload. Endpoint /files/tus/ (media:tus) creates
uploads; /files/tus/<uuid> (media:tus_detail) is one upload (HEAD, PATCH, DELETE).

Auth: the session (browser, Uppy) or `Authorization: Bearer <API token>` (scripts). Session
writes must carry the CSRF token in X-CSRFToken (Uppy's tus plugin sends it); bearer requests
carry no cookie, so CSRF does not apply to them — the same rule as the JSON API.

The PATCH body is streamed from the WSGI input to the staging file in small blocks; the request
body is never read as a whole.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from zhengji.accounts.tokens import TokenAuth
from zhengji.common.errors import DomainError
from zhengji.common.numbers import parse_count

from ..models import Upload
from . import services

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,expiration"
REASONS = {460: "Checksum Mismatch"}


def _headers(response: HttpResponse, **extra) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for key, value in extra.items():
        response[key.replace("_", "-")] = value
    return response


def _error(status: int, code: str, message, **extra) -> HttpResponse:
    body = json.dumps({"code": code, "message": str(message)}, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8",
                            reason=REASONS.get(status))
    return _headers(response, **extra)


def _expires(upload: Upload) -> str:
    return http_date(upload.expires_at.timestamp())


def _authenticate(request: HttpRequest) -> tuple[Any, HttpResponse | None]:
    """(user, error response), exactly one of them None. Bearer token first; otherwise the
    session, CSRF-checked for writes."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        user = TokenAuth().authenticate(request, header[7:].strip())
        if user is None:
            return None, _error(401, "unauthenticated", _("Please log in."))
        return user, None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, _error(401, "unauthenticated", _("Please log in."))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if rejected is not None:
            return None, _error(403, "csrf", _("Your session's security token is missing or stale; "
                                              "reload the page and try again."))
    return user, None


def _method(request: HttpRequest) -> str:
    # tus clients behind proxies that drop PATCH/DELETE send POST with an override header.
    override = request.META.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").upper()
    if request.method == "POST" and override in ("PATCH", "DELETE", "HEAD"):
        request.method = override
    return request.method


def _check_version(request: HttpRequest) -> HttpResponse | None:
    if request.method != "OPTIONS" and request.META.get("HTTP_TUS_RESUMABLE") != TUS_VERSION:
        return _error(412, "unsupported_version", _("Unsupported tus protocol version."), Tus_Version=TUS_VERSION)
    return None


def _options() -> HttpResponse:
    return _headers(HttpResponse(status=204), Tus_Version=TUS_VERSION, Tus_Extension=EXTENSIONS,
                    Tus_Max_Size=str(settings.MEDIA_UPLOAD_MAX_BYTES),
                    Tus_Checksum_Algorithm=",".join(services.CHECKSUM_ALGORITHMS))


def _not_allowed(allowed: str) -> HttpResponse:
    return _error(405, "method_not_allowed", _("This method is not allowed here."), Allow=allowed)


@csrf_exempt  # CSRF is enforced in _authenticate for session-authenticated writes only
def tus_collection(request: HttpRequest) -> HttpResponse:
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method != "POST":
        return _not_allowed("OPTIONS, POST")
    if (bad := _check_version(request)) is not None:
        return bad
    user, err = _authenticate(request)
    if err is not None:
        return err
    length = parse_count(request.META.get("HTTP_UPLOAD_LENGTH", ""))
    if length is None:
        return _error(400, "invalid_length", _("The Upload-Length header is missing or invalid."))
    try:
        metadata = services.parse_metadata(request.META.get("HTTP_UPLOAD_METADATA", ""))
        upload = services.create_upload(user, length=length, metadata=metadata)
    except DomainError as exc:
        extra = {"Tus_Max_Size": str(settings.MEDIA_UPLOAD_MAX_BYTES)} if exc.status == 413 else {}
        return _error(exc.status, exc.code, exc.message, **extra)
    location = request.build_absolute_uri(reverse("media:tus_detail", args=[upload.id]))
    return _headers(HttpResponse(status=201), Location=location, Upload_Expires=_expires(upload),
                    Upload_Offset=str(upload.offset))


@csrf_exempt  # see tus_collection
def tus_detail(request: HttpRequest, upload_id) -> HttpResponse:
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method not in ("HEAD", "PATCH", "DELETE"):
        return _not_allowed("OPTIONS, HEAD, PATCH, DELETE")
    if (bad := _check_version(request)) is not None:
        return bad
    user, err = _authenticate(request)
    if err is not None:
        return err
    try:
        if method == "HEAD":
            return _head(user, upload_id)
        if method == "DELETE":
            services.terminate_upload(user, upload_id)
            return _headers(HttpResponse(status=204))
        return _patch(request, user, upload_id)
    except DomainError as exc:
        return _error(exc.status, exc.code, exc.message)


def _head(user, upload_id) -> HttpResponse:
    upload = services.get_upload(user, upload_id)
    response = _headers(HttpResponse(status=200), Upload_Offset=str(upload.offset),
                        Upload_Expires=_expires(upload))
    if upload.length is not None:
        response["Upload-Length"] = str(upload.length)
    if upload.metadata:
        response["Upload-Metadata"] = ",".join(
            f"{k} {base64.b64encode(v.encode()).decode()}" if v else k for k, v in upload.metadata.items())
    return response


def _patch(request: HttpRequest, user, upload_id) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _error(415, "unsupported_media_type",
                      _("The request must have Content-Type application/offset+octet-stream."))
    offset = parse_count(request.META.get("HTTP_UPLOAD_OFFSET", ""))
    content_length = parse_count(request.META.get("CONTENT_LENGTH", ""))
    if offset is None:
        return _error(400, "invalid_offset", _("The Upload-Offset header is missing or invalid."))
    if content_length is None:
        return _error(411, "length_required", _("The request needs a Content-Length header."))
    checksum = None
    if header := request.META.get("HTTP_UPLOAD_CHECKSUM", "").strip():
        algo, _sep, value = header.partition(" ")
        algo = algo.lower()
        if algo not in services.CHECKSUM_ALGORITHMS:
            return _error(400, "unsupported_checksum", _("Unsupported checksum algorithm."))
        try:
            checksum = (algo, base64.b64decode(value.strip(), validate=True))
        except binascii.Error:
            return _error(400, "invalid_checksum", _("The Upload-Checksum header is invalid."))
    upload = services.receive_chunk(user, upload_id, offset=offset, read=request.read,
                                    content_length=content_length, checksum=checksum)
    return _headers(HttpResponse(status=204), Upload_Offset=str(upload.offset), Upload_Expires=_expires(upload))
