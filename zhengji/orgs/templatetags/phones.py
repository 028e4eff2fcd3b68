from django import template

from zhengji.orgs.rules import shown_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def phone_of(context, other_user):
    """{% phone_of some_user %}: the full number when the viewer may see it, else masked."""
    request = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    return shown_phone(viewer, other_user)
