from django import template

from zhengji.common.i18n import localized, mask_phone

register = template.Library()


@register.filter
def loc(obj, field):
    """{{ track|loc:"name" }} -> the name in the reader's language."""
    return localized(obj, field)


@register.filter
def masked(phone):
    return mask_phone(phone)
