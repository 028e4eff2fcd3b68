"""URLs of the public site's entry area (namespace "public", included by urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
