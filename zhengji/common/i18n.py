from __future__ import annotations

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """Content fields come in pairs (name / name_en): English when the user reads English and the
    English text exists, otherwise the Chinese original."""
    lang = (get_language() or "zh-hans").lower()
    if lang.startswith("en"):
        value = getattr(obj, f"{field}_en", "") or ""
        if value:
            return value
    return getattr(obj, field, "") or ""


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    if len(phone) > 4:
        return f"{phone[:2]}****{phone[-2:]}"
    return "****"
