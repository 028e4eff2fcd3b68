"""Images and attachments put into rich text (track rules, announcements) by the editor.

Stored through Django's default storage under `richtext/<uuid>.<ext>` and read back by anyone at
`/manage/richtext/<uuid>.<ext>` (campaigns.views.richtext_file): they are part of published rules
and notices, which are public. Only a campaign's admins may upload, and only files whose content
is what their name says: images that Pillow reads (JPEG, PNG, WebP, GIF) and documents whose
first bytes match their extension. Names are random, so one cannot list or guess them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from zhengji.common import audit
from zhengji.common.errors import DomainError, NotPermitted

from .models import Campaign

PREFIX = "richtext"
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
DOCUMENT_MAGIC = {"pdf": (b"%PDF-",), "docx": (ZIP,), "xlsx": (ZIP,), "pptx": (ZIP,), "zip": (ZIP,),
                  "doc": (OLE,), "xls": (OLE,), "ppt": (OLE,)}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif",
                 "pdf": "application/pdf", "zip": "application/zip", "txt": "text/plain; charset=utf-8",
                 "doc": "application/msword", "xls": "application/vnd.ms-excel",
                 "ppt": "application/vnd.ms-powerpoint",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
EXTENSIONS = set(CONTENT_TYPES)


def image_max_mb() -> int:
    return int(getattr(settings, "RICHTEXT_IMAGE_MAX_MB", 5))


def file_max_mb() -> int:
    return int(getattr(settings, "RICHTEXT_FILE_MAX_MB", 20))


@dataclass(frozen=True)
class StoredFile:
    name: str  # the storage name, richtext/<uuid>.<ext>
    url: str  # where readers get it
    original_name: str


def _extension(upload: UploadedFile[bytes]) -> str:
    name = upload.name or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _check_image(upload: UploadedFile[bytes]) -> str:
    if upload.size is not None and upload.size > image_max_mb() * 1024 * 1024:
        raise DomainError(_("The image is larger than %(mb)s MB.") % {"mb": image_max_mb()}, field="file")
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(_("This is not an image the site can show (JPEG, PNG, WebP or GIF)."),
                          field="file") from exc
    if fmt not in IMAGE_FORMATS:
        raise DomainError(_("This is not an image the site can show (JPEG, PNG, WebP or GIF)."), field="file")
    return IMAGE_FORMATS[fmt]


def _check_document(upload: UploadedFile[bytes], ext: str) -> str:
    if upload.size is not None and upload.size > file_max_mb() * 1024 * 1024:
        raise DomainError(_("The file is larger than %(mb)s MB.") % {"mb": file_max_mb()}, field="file")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if ext == "txt":
        try:
            upload.read(64 * 1024).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DomainError(_("The content of this file does not match its type."), field="file") from exc
        finally:
            upload.seek(0)
        return ext
    if not any(head.startswith(m) for m in DOCUMENT_MAGIC[ext]):
        raise DomainError(_("The content of this file does not match its type."), field="file")
    return ext


@transaction.atomic
def store_richtext_file(actor: Any, campaign: Campaign, upload: UploadedFile[bytes] | None, *, kind: str) -> StoredFile:
    """Check and store an image (`kind="image"`) or attachment (`kind="file"`) for the rich text
    of `campaign`; audited as `campaign.richtext_file`."""
    if actor is None or not actor.is_authenticated or not actor.has_perm("campaigns.change_campaign", campaign):
        raise NotPermitted(_("You do not have permission to do this."))
    if upload is None:
        raise DomainError(_("Choose a file."), field="file")
    ext = _extension(upload)
    if kind == "image":
        ext = _check_image(upload)
    else:
        if ext not in EXTENSIONS - set(IMAGE_FORMATS.values()):
            raise DomainError(_("Attach PDF, Word, Excel, PowerPoint, ZIP or plain text files."), field="file")
        ext = _check_document(upload, ext)
    upload.seek(0)
    name = default_storage.save(f"{PREFIX}/{uuid.uuid4().hex}.{ext}", upload)
    stored = StoredFile(name=name, url=url_for(name), original_name=(upload.name or name)[:200])
    audit.record("campaign.richtext_file", campaign, actor=actor,
                 after={"name": name, "original_name": stored.original_name, "size": upload.size, "kind": kind})
    return stored


def url_for(name: str) -> str:
    stem, ext = name.rsplit("/", 1)[-1].rsplit(".", 1)
    return reverse("campaigns:richtext_file", args=[stem, ext])

