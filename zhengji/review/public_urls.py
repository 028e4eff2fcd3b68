"""The public pages of results (/results/): proposed results on notice with the objection form,
final results with each track's frozen hash, the published notice, certificate verification."""

from django.urls import path  # noqa: F401

app_name = "results"
urlpatterns: list = []
