"""Media API: my uploads, upload settings, S3 multipart signing (the shape of Uppy's
@uppy/aws-s3 `companionEndpoint` mode, with `companionEndpoint = "/api/media"`), and a file's
processing status and retry."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.errors import NotFound
from zhengji.common.numbers import parse_count

from .models import MediaFile, Upload
from .processing import domain
from .uploads import services, storage
from .uploads.tus import EXTENSIONS, TUS_VERSION
from .views_media import status_data

router = Router()

TUS_DOC = """
**Resumable uploads (tus 1.0.0).** Files are uploaded with the [tus protocol](https://tus.io/protocols/resumable-upload)
at `/files/tus/` (not under `/api`), extensions `creation`, `termination`, `checksum` (sha1, sha256, md5),
`expiration`. Authenticate with the session (plus `X-CSRFToken`) or `Authorization: Bearer <token>`.

1. `POST /files/tus/` with `Tus-Resumable: 1.0.0`, `Upload-Length: <bytes>` and
   `Upload-Metadata: filename <base64>,filetype <base64>` → `201` with `Location` and `Upload-Expires`.
2. `PATCH <Location>` with `Content-Type: application/offset+octet-stream`, `Upload-Offset: <n>`, optional
   `Upload-Checksum: sha256 <base64 digest>` → `204` with the new `Upload-Offset`.
   A checksum mismatch gives `460` and the chunk is discarded; a wrong offset `409`.
3. After an interruption, `HEAD <Location>` gives `Upload-Offset`; continue with PATCH from there.
4. `DELETE <Location>` abandons the upload. Unfinished uploads expire 24 h after their last chunk (`410`).
5. A complete upload becomes a file of an entry with `POST /files/uploads/<id>/ingest` (`track`, `slot`).

Limits: `Tus-Max-Size` per file (`OPTIONS /files/tus/`), a per-user storage quota (`413` with a message).
With S3 storage, browsers may instead upload straight to the bucket with the `/api/media/s3/multipart`
endpoints below.
"""


class UploadOut(Schema):
    id: UUID
    filename: str
    length: int | None
    offset: int
    status: str
    backend: str = Field(description="`local` (tus staging on MEDIA_ROOT), `default` (tus, moved to object "
                                     "storage on completion) or `s3` (direct multipart)")
    created: dt.datetime
    updated: dt.datetime
    expires_at: dt.datetime
    tus_url: str | None = None

    @staticmethod
    def resolve_backend(obj: Upload) -> str:
        return obj.multipart.get("backend") or "local"

    @staticmethod
    def resolve_tus_url(obj: Upload) -> str | None:
        return None if storage.is_s3(obj) else reverse("media:tus_detail", args=[obj.id])


class UploadConfigOut(Schema):
    tus_endpoint: str
    tus_version: str
    tus_extensions: list[str]
    checksum_algorithms: list[str]
    max_size: int
    chunk_size: int
    quota: int
    used: int
    s3_direct: bool


@router.get("/uploads", response=list[UploadOut], summary="My uploads", description=TUS_DOC)
def my_uploads(request: HttpRequest):
    return list(Upload.objects.filter(user=request.user).exclude(status="aborted").order_by("-created")[:200])


@router.get("/uploads/config", response=UploadConfigOut, summary="Upload limits and endpoints")
def upload_config(request: HttpRequest):
    return {"tus_endpoint": reverse("media:tus"), "tus_version": TUS_VERSION,
            "tus_extensions": EXTENSIONS.split(","), "checksum_algorithms": list(services.CHECKSUM_ALGORITHMS),
            "max_size": settings.MEDIA_UPLOAD_MAX_BYTES, "chunk_size": settings.MEDIA_UPLOAD_CHUNK_BYTES,
            "quota": settings.MEDIA_USER_QUOTA_BYTES, "used": services.used_bytes(request.user),
            "s3_direct": settings.MEDIA_S3_DIRECT}


@router.get("/uploads/{uuid:upload_id}", response=UploadOut, summary="One of my uploads")
def my_upload(request: HttpRequest, upload_id: UUID):
    return services.get_upload(request.user, upload_id)


@router.delete("/uploads/{uuid:upload_id}", response={204: None}, summary="Abandon one of my uploads")
def delete_upload(request: HttpRequest, upload_id: UUID):
    services.terminate_upload(request.user, upload_id)
    return 204, None


# --- S3 multipart (only when the default storage is S3) ----------------------------------------

class MultipartIn(InputSchema):
    filename: str = Field(max_length=255)
    type: str = Field(default="", max_length=100)
    metadata: dict = Field(default_factory=dict)
    size: int | None = Field(default=None, ge=0, description="declared size, reserves quota")


class MultipartOut(Schema):
    uploadId: str  # noqa: N815 (Uppy's field names)
    key: str


class SignedPartOut(Schema):
    url: str


class PartIn(InputSchema):
    PartNumber: int = Field(ge=1, le=10000)  # noqa: N815
    ETag: str = Field(max_length=200)  # noqa: N815


class PartOut(PartIn):
    Size: int | None = None  # noqa: N815


class CompleteIn(InputSchema):
    parts: list[PartIn] = Field(min_length=1, max_length=10000)


class CompleteOut(Schema):
    location: str
    key: str
    id: UUID
    size: int


def _require_s3() -> None:
    if not settings.MEDIA_S3_DIRECT:
        raise NotFound(_("Direct uploads to object storage are not enabled on this server."))


@router.post("/s3/multipart", response=MultipartOut, summary="Start an S3 multipart upload")
def s3_create(request: HttpRequest, payload: MultipartIn):
    _require_s3()
    size = payload.size
    if size is None:
        size = parse_count(str(payload.metadata.get("size", "")))
    upload = services.create_s3_upload(request.user, filename=payload.filename, content_type=payload.type,
                                       size=size, metadata=payload.metadata)
    return {"uploadId": str(upload.id), "key": upload.storage_key}


@router.get("/s3/multipart/{uuid:upload_id}/parts/{int:part}", response=SignedPartOut,
            summary="Presigned URL for a part")
def s3_sign_part(request: HttpRequest, upload_id: UUID, part: int):
    _require_s3()
    return {"url": services.sign_s3_part(request.user, upload_id, part)}


# Uppy's companion shape: /s3/multipart/{uploadId}/{partNumber}?key=…
@router.get("/s3/multipart/{uuid:upload_id}/{int:part}", response=SignedPartOut, include_in_schema=False)
def s3_sign_part_companion(request: HttpRequest, upload_id: UUID, part: int):
    return s3_sign_part(request, upload_id, part)


@router.get("/s3/multipart/{uuid:upload_id}", response=list[PartOut], summary="Parts uploaded so far (resume)")
def s3_list_parts(request: HttpRequest, upload_id: UUID):
    _require_s3()
    return services.list_s3_parts(request.user, upload_id)


@router.post("/s3/multipart/{uuid:upload_id}/complete", response=CompleteOut, summary="Complete an S3 multipart upload")
def s3_complete(request: HttpRequest, upload_id: UUID, payload: CompleteIn):
    _require_s3()
    upload = services.complete_s3_upload(request.user, upload_id, [p.dict() for p in payload.parts])
    s3 = storage.s3()
    return {"location": s3.location(upload.storage_key), "key": upload.storage_key, "id": upload.id,
            "size": upload.length or 0}


@router.delete("/s3/multipart/{uuid:upload_id}", response={204: None}, summary="Abort an S3 multipart upload")
def s3_abort(request: HttpRequest, upload_id: UUID):
    _require_s3()
    services.abort_s3_upload(request.user, upload_id)
    return 204, None




# --- a media file's processing status and retry ------------------------------------------------

class MediaUrlsOut(Schema):
    thumb: str | None = Field(None, description="thumbnail JPEG (≤ 320 px), once ready")
    web: str | None = Field(None, description="images: web-size JPEG (≤ 1600 px)")
    poster: str | None = Field(None, description="videos: poster frame JPEG")
    preview: str | None = Field(None, description="videos: H.264 MP4; audio: AAC M4A (HTTP Range supported)")
    original: str | None = Field(None, description="the original, for its owner (and superusers) only")


class MediaStatusOut(Schema):
    id: int
    status: str = Field(description="pending, processing, ready or failed")
    status_label: str
    kind: str = Field(description="image, video, audio or document")
    filename: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    duration: float | None = Field(description="seconds (audio and video)")
    attempts: int
    error: str = Field(description="why processing failed, in the site language (empty otherwise)")
    can_retry: bool
    urls: MediaUrlsOut
    error_detail: str | None = Field(None, description="ffmpeg's output (superusers only)")



def _visible_media(request: HttpRequest, media_id: int) -> MediaFile:
    """The file if this user may see it; 404 otherwise (its existence is not revealed)."""
    media = get_object_or_404(MediaFile.objects.select_related("owner"), pk=media_id)
    if not request.user.has_perm("media.view_media", media):
        raise Http404
    return media


@router.get("/files/{int:media_id}", response={200: MediaStatusOut, 404: ApiError},
            summary="A file's processing status and rendition URLs")
def media_status(request: HttpRequest, media_id: int):
    """The same JSON as `GET /files/m/{id}/status?format=json`: poll it while `status` is pending or
    processing; when `failed`, `error` says why and `can_retry` whether a retry is possible."""
    return status_data(_visible_media(request, media_id), request.user)


@router.post("/files/{int:media_id}/retry", response={200: MediaStatusOut, 400: ApiError,
                                                        403: ApiError, 404: ApiError,
                                                        409: ApiError},
             summary="Process a failed (or stuck) file again")
def media_retry(request: HttpRequest, media_id: int):
    """Queue the processing again from scratch. `400 already_ready` when the file is processed,
    `409 in_progress` while it is queued or being processed."""
    media = domain.retry_processing(request.user, _visible_media(request, media_id))
    media.refresh_from_db()
    return status_data(media, request.user)
