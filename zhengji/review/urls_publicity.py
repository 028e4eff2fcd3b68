"""URLs of judging's publicity area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_publicity

urlpatterns = [
    path("tracks/<int:track_id>/publicity/", views_publicity.publicity_manage, name="publicity_manage"),
    path("objections/", views_publicity.objections, name="objections"),
    path("objections/<int:objection_id>/", views_publicity.objection, name="objection"),
]
