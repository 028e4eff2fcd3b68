"""Serving a media's renditions and original (permission-checked, with HTTP Range for seeking in
video and audio), its processing status (JSON or an htmx partial) and the retry action.

Every file response carries `X-Content-Type-Options: nosniff` and a sandboxing CSP
(`sandbox; default-src 'none'`); originals are always attachments, under their cleaned name.

With `MEDIA_ORIGIN` set (e.g. "https://files.example.org"), file bytes are served only on that
host: URLs are built there (`file_url`) carrying a signed token (media, file, user, the time
rounded to a sixth of `MEDIA_ORIGIN_URL_MAX_AGE`, so URLs stay stable and cacheable), since the
session cookie of the site does not reach it; a
file request on any other host is checked for permission and redirected there, never served."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST, require_safe

from zhengji.common.errors import DomainError

from . import access
from .filenames import clean_filename
from .models import MediaFile, MediaStatus
from .processing import domain

# URL name → model field. A video's poster is its `web` rendition.
RENDITIONS = {"thumb": "thumbnail", "web": "web", "poster": "web", "preview": "preview"}
CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# What a file response may do when a browser opens it as a document: nothing.
SANDBOX_CSP = "sandbox; default-src 'none'"
TOKEN_SALT = "zhengji.media.file-url"


def media_origin() -> str:
    """The separate origin files are served from ("https://files.example.org"), or ""."""
    return str(getattr(settings, "MEDIA_ORIGIN", "") or "").rstrip("/")


def _media_host() -> str:
    return urlsplit(media_origin()).netloc.lower()


def on_media_origin(request) -> bool:
    return bool(media_origin()) and request.get_host().lower() == _media_host()


def file_url(media: MediaFile, name: str, user) -> str:
    """The URL of a rendition (`name` in RENDITIONS) or the original ("original") of `media` for
    `user`: the site's path, or with MEDIA_ORIGIN that path on the media origin with a signed token."""
    path = (reverse("media:original", args=[media.pk]) if name == "original"
            else reverse("media:rendition", args=[media.pk, name]))
    origin = media_origin()
    if not origin:
        return path
    step = _token_step()
    token = signing.Signer(salt=TOKEN_SALT).sign_object([media.pk, name, user.pk, int(time.time()) // step])
    return f"{origin}{path}?t={token}"


def _token_max_age() -> int:
    return int(getattr(settings, "MEDIA_ORIGIN_URL_MAX_AGE", 6 * 3600))


def _token_step() -> int:
    """Tokens carry the time rounded down to this step, so a file's URL stays the same for a while
    and browsers cache it; a URL lives between max age − step and max age."""
    return max(60, _token_max_age() // 6)


def _token_user(request, pk: int, name: str):
    """The user a valid, unexpired token for this very file names, or None."""
    raw = request.GET.get("t", "")
    if not raw:
        return None
    try:
        media_pk, token_name, user_pk, bucket = signing.Signer(salt=TOKEN_SALT).unsign_object(raw)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if media_pk != pk or token_name != name or not isinstance(bucket, int):
        return None
    if time.time() - bucket * _token_step() > _token_max_age():
        return None
    return get_user_model().objects.filter(pk=user_pk, is_active=True).first()


def _public_media(pk: int, name: str) -> MediaFile | None:
    """The media when its renditions are public (a rendition, never the original), else None.
    The answer is remembered for a short time (`access.public_media`): a video's range requests
    after the first cost no query."""
    if name == "original":
        return None
    return access.public_media(pk)


def _file_gate(request, pk: int, name: str, perm: str) -> MediaFile | HttpResponse:
    """The media to serve, or the response to give instead: a login redirect, or (MEDIA_ORIGIN
    set, request on another host) a redirect to the file's URL on the media origin. Renditions of
    public files (`access.register_public`) are served to everyone."""
    if on_media_origin(request):
        user = _token_user(request, pk, name) or request.user
        if not user.is_authenticated:
            public = _public_media(pk, name)
            if public is None:
                raise Http404
            return public
        media = get_object_or_404(MediaFile.objects.select_related("owner"), pk=pk)
        if not user.has_perm(perm, media) and (name == "original" or not access.is_public(media)):
            raise Http404
        return media
    if not request.user.is_authenticated:
        public = _public_media(pk, name)
        if public is None:
            return redirect_to_login(request.get_full_path())
        media = public
    else:
        media = get_object_or_404(MediaFile.objects.select_related("owner"), pk=pk)
        if not request.user.has_perm(perm, media) and (name == "original" or not access.is_public(media)):
            raise Http404  # do not reveal that the file exists
    if media_origin():
        if name != "original" and (not getattr(media, RENDITIONS[name]) or media.status != MediaStatus.READY):
            raise Http404
        resp = redirect(file_url(media, name, request.user))
        resp["Cache-Control"] = "private, no-store"
        return resp
    return media


def _media_for(request, pk: int, perm: str = "media.view_media") -> MediaFile:
    media = get_object_or_404(MediaFile.objects.select_related("owner"), pk=pk)
    if not request.user.has_perm(perm, media):
        raise Http404  # do not reveal that the file exists
    return media


class _RangeIter:
    """The bytes start..start+length of an open file, in chunks; Django calls close() when the
    response ends, even if the client went away before the first chunk."""

    def __init__(self, fh, start: int, length: int):
        self.fh, self.start, self.left = fh, start, length

    def __iter__(self):
        self.fh.seek(self.start)
        while self.left > 0:
            block = self.fh.read(min(CHUNK, self.left))
            if not block:
                break
            self.left -= len(block)
            yield block

    def close(self) -> None:
        self.fh.close()


def serve_fieldfile(request, fieldfile, *, content_type: str = "", download_name: str = "",
                    as_attachment: bool = False) -> HttpResponse:
    """Stream a stored file. Honours one `Range: bytes=a-b` (206, or 416 when unsatisfiable);
    several ranges are answered with the whole file (allowed by RFC 9110)."""
    storage = fieldfile.storage
    name = fieldfile.name
    try:
        size = storage.size(name)
        fh = storage.open(name, "rb")
    except (OSError, NotImplementedError) as exc:
        raise Http404 from exc
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or end < start:
            fh.close()
            resp = HttpResponse(status=416)
            resp["Content-Range"] = f"bytes */{size}"
            return _headers(resp, as_attachment, download_name)
        resp = StreamingHttpResponse(_RangeIter(fh, start, end - start + 1), status=206, content_type=content_type)
        resp["Content-Range"] = f"bytes {start}-{end}/{size}"
        resp["Content-Length"] = str(end - start + 1)
    else:
        resp = FileResponse(fh, content_type=content_type)
        resp["Content-Length"] = str(size)
    return _headers(resp, as_attachment, download_name)


def _headers(resp: HttpResponse, as_attachment: bool, download_name: str) -> HttpResponse:
    resp["Accept-Ranges"] = "bytes"
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Content-Security-Policy"] = SANDBOX_CSP  # django-csp leaves a response's own header alone
    if as_attachment or download_name:
        resp["Content-Disposition"] = content_disposition_header(as_attachment, clean_filename(download_name))
    return resp


def rendition_version(media: MediaFile, name: str) -> str:
    """A short word that changes whenever the rendition is made again (its stored name carries a
    fresh token each time): URLs with `?v=` of it can be cached for good."""
    fieldfile = getattr(media, RENDITIONS[name], None)
    if not fieldfile:
        return ""
    return hashlib.sha1(fieldfile.name.encode()).hexdigest()[:12]


def rendition_path(media: MediaFile, name: str) -> str:
    """The site path of a rendition with its version (long-lived caching; see `rendition`)."""
    version = rendition_version(media, name)
    path = reverse("media:rendition", args=[media.pk, name])
    return f"{path}?v={version}" if version else path


@require_safe
def rendition(request, pk: int, name: str):
    if name not in RENDITIONS:
        raise Http404
    gate = _file_gate(request, pk, name, "media.view_media")
    if isinstance(gate, HttpResponse):
        return gate
    media = gate
    fieldfile = getattr(media, RENDITIONS[name])
    if not fieldfile or media.status != MediaStatus.READY:
        raise Http404
    version = rendition_version(media, name)
    # A rendition's bytes never change under one stored name: the name is the validator, and a
    # URL carrying the current version may be cached for a year. Public files (the gallery) may be
    # kept by shared caches; others only by the viewer's browser.
    scope = "public" if access.is_public(media) else "private"
    stored, download, word = fieldfile.name, "", ""
    if scope == "public":  # a public file may be served as another copy (an AI label drawn on it)
        stored, download, word = access.public_file(media, name, fieldfile.storage, fieldfile.name)
    etag = f'"{version}{word}"'

    if request.GET.get("v") == version:
        cache_control = f"{scope}, max-age=31536000, immutable"
    else:
        cache_control = f"{scope}, max-age=3600"
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        resp = HttpResponse(status=304)
        resp["ETag"] = etag
        resp["Cache-Control"] = cache_control
        return resp
    content_type = ""
    if name == "preview":
        content_type = "video/mp4" if media.kind == "video" else "audio/mp4"
    served = fieldfile if stored == fieldfile.name else SimpleNamespace(storage=fieldfile.storage, name=stored)
    resp = serve_fieldfile(request, served, content_type=content_type, download_name=download)
    resp["ETag"] = etag
    resp["Cache-Control"] = cache_control
    return resp


@require_safe
def original(request, pk: int):
    gate = _file_gate(request, pk, "original", "media.download_original")
    if isinstance(gate, HttpResponse):
        return gate
    media = gate
    return serve_fieldfile(request, media.original, content_type=media.content_type,
                           download_name=media.filename or os.path.basename(media.original.name),
                           as_attachment=True)


def shown_filename(media: MediaFile, user) -> str:
    """The uploaded file name for those who may download the original (it may name the author);
    a neutral name for every other viewer (e.g. a judge in blind review)."""
    if user.has_perm("media.download_original", media):
        return media.filename
    ext = os.path.splitext(media.filename or "")[1].lower()[:10]
    return f"file-{media.pk}{ext}"


def status_data(media: MediaFile, user) -> dict:
    """The status as JSON (also used by the API router when the lead wires it)."""
    summary, _sep, detail = (media.error or "").partition("\n\n")
    urls = {}
    if media.status == MediaStatus.READY:
        names = ("thumb", "poster", "preview") if media.kind == "video" else ("thumb", "web", "preview")
        for key in names:
            if getattr(media, RENDITIONS[key]):
                urls[key] = file_url(media, key, user)
    if user.has_perm("media.download_original", media):
        urls["original"] = file_url(media, "original", user)
    data = {
        "id": media.pk, "status": media.status, "status_label": str(media.get_status_display()),
        "kind": media.kind, "filename": shown_filename(media, user), "size": media.size, "sha256": media.sha256,
        "width": media.width, "height": media.height, "duration": media.duration,
        "attempts": media.attempts, "error": summary, "urls": urls,
        # Whether this user could retry now (viewers such as unit admins may not).
        "can_retry": domain.can_retry(media) and user.has_perm("media.retry_processing", media),
    }
    if user.is_superuser:
        data["error_detail"] = detail
    return data


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get("Accept", "")


def _render_status(request, media: MediaFile, status: int = 200):
    ctx = {"media": media, "info": status_data(media, request.user)}
    if request.htmx:
        return render(request, "media/_status.html", ctx, status=status)
    return render(request, "media/status.html", ctx, status=status)


@login_required
@require_GET
def status(request, pk: int):
    media = _media_for(request, pk)
    if _wants_json(request):
        return JsonResponse(status_data(media, request.user))
    return _render_status(request, media)


@login_required
@require_POST
def retry(request, pk: int):
    media = _media_for(request, pk)
    try:
        media = domain.retry_processing(request.user, media)
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=exc.status)
        if request.htmx:
            media.refresh_from_db()
            ctx = {"media": media, "info": status_data(media, request.user), "message": exc.message}
            # 200: htmx swaps only successful responses, and the message belongs in the card.
            return render(request, "media/_status.html", ctx)
        messages.error(request, exc.message)
        return redirect("media:status", pk=pk)
    media.refresh_from_db()
    if _wants_json(request):
        return JsonResponse(status_data(media, request.user))
    if request.htmx:
        return _render_status(request, media)
    return redirect("media:status", pk=pk)
