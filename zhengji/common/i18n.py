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
    """The one masking rule for phone numbers, everywhere (pages, PDFs, exports, the API, audit
    records, SMS logs): the first three and the last four digits, "138****1234". A number too short
    to hide four digits that way shows as "****". Who sees a number whole instead is decided by
    `orgs.rules.can_see_phone` (docs/accounts.md, "Phone numbers shown to others")."""
    if not phone:
        return ""
    phone = str(phone)
    if len(phone) >= 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****"
