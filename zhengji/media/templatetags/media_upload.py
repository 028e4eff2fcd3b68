from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def media_s3_direct() -> bool:
    """Whether browsers upload straight to S3 (multipart) instead of through tus."""
    return bool(getattr(settings, "MEDIA_S3_DIRECT", False))


@register.simple_tag
def media_chunk_bytes() -> int:
    return int(getattr(settings, "MEDIA_UPLOAD_CHUNK_BYTES", 8 * 1024 * 1024))
