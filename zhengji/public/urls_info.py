"""URLs of the public site's information area: share QR codes, winners, archive (namespace "public")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
