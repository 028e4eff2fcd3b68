"""{% share_context title=… description=… as share %}: the share data of a page whose view does
not give one (the results pages of the review app include public/_share_meta.html this way)."""

from django import template

from ..share import share_context as build

register = template.Library()


@register.simple_tag(takes_context=True)
def share_context(context, *, title="", description="", image="", kind="website"):
    request = context.get("request")
    if request is None:
        return {}
    return build(request, title=title, description=description or title, image=image, kind=kind)
