"""Upload views outside the tus protocol: ingest a complete upload into an entry's file slot, and a
standalone uploader test page (DEBUG or staff)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from zhengji.campaigns.models import Track
from zhengji.campaigns.schema import FieldDef, FileRule, parse_schema
from zhengji.common.errors import DomainError

from . import services
from .models import MediaStatus
from .tus import _authenticate


def _json_error(status: int, code: str, message) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message)}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _fields(request: HttpRequest) -> dict:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}
    return request.POST.dict()


@csrf_exempt  # CSRF is enforced for session users in _authenticate; bearer tokens need none
def ingest(request: HttpRequest, upload_id) -> HttpResponse:
    """POST track=<id>, slot=<schema key>: turn a complete upload into a MediaFile of that slot."""
    if request.method != "POST":
        response = _json_error(405, "method_not_allowed", _("This method is not allowed here."))
        response["Allow"] = "POST"
        return response
    user, err = _authenticate(request)
    if err is not None:
        return err
    data = _fields(request)
    track_id, slot = str(data.get("track", "")), str(data.get("slot", ""))
    track = Track.objects.filter(pk=int(track_id)).select_related("campaign").first() if track_id.isdigit() else None
    if track is None:
        return _json_error(400, "invalid_track", _("Choose a valid track."))
    try:
        fields = {f.key: f for f in parse_schema(track.form_schema)}
    except ValidationError:
        fields = {}
    if slot not in fields or fields[slot].type != "file":
        return _json_error(400, "invalid_slot", _("This track's form has no such file field."))
    try:
        media = services.ingest_upload(user, upload_id, track=track, slot_key=slot)
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


@require_GET
def upload_test(request: HttpRequest) -> HttpResponse:
    """A standalone page with the uploader widget (for trying uploads and for the browser test)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not (settings.DEBUG or request.user.is_staff):
        raise PermissionDenied
    track, field = None, None
    if request.GET.get("track", "").isdigit():
        track = Track.objects.filter(pk=int(request.GET["track"])).first()
        if track is not None:
            field = next((f for f in parse_schema(track.form_schema)
                          if f.type == "file" and f.key == request.GET.get("slot")), None)
    if field is None:
        track = None
        field = FieldDef(key="files", type="file", label="测试文件", label_en="Test files",
                         file=FileRule(kinds=["video", "audio", "image", "document"], max_count=5))
    return render(request, "media/upload_test.html", {"field": field, "track": track, "existing": []})
