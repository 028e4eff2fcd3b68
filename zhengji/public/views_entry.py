"""The public entry page (placeholder until the entry page area lands)."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from zhengji.entries.queries import View, entry_for


@require_safe
def entry_page(request, pk: int):
    entry = entry_for(request.user, pk, permission=None, view=View.PUBLIC)
    return HttpResponse(entry.title)
