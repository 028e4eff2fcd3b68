"""URLs of judging's assign area (included by review/urls.py under the namespace "review")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
