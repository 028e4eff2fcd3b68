"""Placeholders for the pages the hub links to, until each area's real page replaces them
(delete this module when every name below is served by its area)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def placeholder(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
