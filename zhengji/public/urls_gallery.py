"""URLs of the public site's gallery area (namespace "public", included by urls.py)."""

from django.urls import path

from . import views_gallery

urlpatterns: list = [
    path("c/<slug:slug>/gallery/", views_gallery.gallery, name="gallery"),
    path("manage/gallery/<int:track_id>/", views_gallery.showcase_manage, name="showcase_manage"),
    path("w/<int:pk>/credit/", views_gallery.credit, name="credit"),
]
