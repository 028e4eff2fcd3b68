import re

import nh3
from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import mark_safe

from zhengji.common import registry
from zhengji.common.i18n import localized, mask_phone

register = template.Library()
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@register.filter
def loc(obj, field):
    """{{ track|loc:"name" }} -> the name in the reader's language."""
    return localized(obj, field)


@register.filter
def masked(phone):
    return mask_phone(phone)


@register.filter
def rich(text):
    """Text that may be HTML (from an editor) or plain text: sanitised HTML, or paragraphs."""
    text = str(text or "")
    if not _TAG.search(text):
        return linebreaks_filter(text, autoescape=True)
    return mark_safe(nh3.clean(text))  # noqa: S308 - sanitised just above


_PANEL_REGISTRIES = {"hub": registry.hub, "centre": registry.centre}


@register.simple_tag
def registered_panels(page, user):
    """{% registered_panels "centre" user as panels %}: the panels the apps registered for a page
    (common.registry), those this user sees, in order."""
    return _PANEL_REGISTRIES[page].panels(user)
