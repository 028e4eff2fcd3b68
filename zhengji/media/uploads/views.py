"""Upload views outside the tus protocol: ingest a complete upload for an ingest target
(`media.targets`; the entry form's uploader names a track's file slot), and a standalone uploader
test page (DEBUG or staff)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from zhengji.common.errors import DomainError

from .. import targets
from ..filerules import FileRule
from ..models import MediaStatus
from . import services
from .tus import _authenticate


def _json_error(status: int, code: str, message: Any) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message)}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _fields(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


@csrf_exempt  # CSRF is enforced for session users in _authenticate; bearer tokens need none
def ingest(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    """POST the target's fields (the entry uploader: track=<id>, slot=<schema key>): turn a complete
    upload into a MediaFile for that target."""
    if request.method != "POST":
        response = _json_error(405, "method_not_allowed", _("This method is not allowed here."))
        response["Allow"] = "POST"
        return response
    user, err = _authenticate(request)
    if err is not None:
        return err
    try:
        target = targets.resolve(_fields(request), user)
        media = services.ingest_upload(user, upload_id, target=target)
    except DomainError as exc:
        return _json_error(exc.status, exc.code, exc.message)
    except (PermissionDenied, Http404):
        return _json_error(404, "not_found", _("Upload not found."))
    # Processing may already be done (an immediate task backend); renditions are served only by
    # the permission-checked view, never from MEDIA_URL.
    media.refresh_from_db()
    thumb = (reverse("media:rendition", args=[media.pk, "thumb"])
             if media.status == MediaStatus.READY and media.thumbnail else None)
    return JsonResponse({"id": media.pk, "filename": media.filename, "size": media.size, "kind": media.kind,
                         "status": media.status, "thumbnail_url": thumb}, status=201)


@dataclass
class UploadField:
    """What the uploader widget reads of a form field (`media/_uploader.html`)."""

    key: str
    label: str
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False
    file: FileRule = field(default_factory=lambda: FileRule(kinds=["video", "audio", "image", "document"]))


@require_GET
def upload_test(request: HttpRequest) -> HttpResponse:
    """A standalone page with the uploader widget (for trying uploads and for the browser test).
    With a target's fields in the query (`?track=<id>&slot=<key>`) the widget uses its rule and
    ingests into it; otherwise it only uploads."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (settings.DEBUG or request.user.is_staff):
        raise PermissionDenied
    upload_field = UploadField(key="files", label="测试文件", label_en="Test files",
                               file=FileRule(kinds=["video", "audio", "image", "document"], max_count=5))
    track = None
    if request.GET:
        try:
            target = targets.resolve(request.GET.dict(), request.user)
        except DomainError:
            pass
        else:
            upload_field = UploadField(key=target.purpose or "files", label=target.label or target.purpose,
                                       label_en=target.label_en, required=target.required, file=target.rule)
            # The widget posts `track` and `slot` with each ingest (see static/media/uploader.js).
            track = {"pk": target.fields.get("track", "")}
    return render(request, "media/upload_test.html", {"field": upload_field, "track": track, "existing": []})
