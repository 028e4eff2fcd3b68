"""On the media origin (`MEDIA_ORIGIN`), only file bytes: every request there that is not for a
rendition or an original gets a bare 404, so the site's pages (login form, static files, the API)
never share an origin with the users' files. A no-op when MEDIA_ORIGIN is not set."""

from __future__ import annotations

from django.http import HttpResponseNotFound
from django.urls import Resolver404, resolve

from .views_media import on_media_origin

FILE_VIEWS = {"media:rendition", "media:original"}


class MediaOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if on_media_origin(request):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            if match is None or match.view_name not in FILE_VIEWS:
                resp = HttpResponseNotFound(b"Not found", content_type="text/plain")
                resp["X-Content-Type-Options"] = "nosniff"
                return resp
        return self.get_response(request)
