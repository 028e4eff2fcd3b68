"""URLs of the public site's entry page area (namespace "public", included by urls.py)."""

from django.urls import path

from . import views_entry

urlpatterns: list = [
    path("w/<int:pk>/", views_entry.entry_page_view, name="entry"),
    path("w/<int:pk>/seen", views_entry.entry_seen, name="entry_seen"),
]
