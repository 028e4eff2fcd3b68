"""URLs of judging's results area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_results as v

urlpatterns = [
    path("rounds/<int:round_id>/progress/", v.progress, name="progress"),
    path("rounds/<int:round_id>/scores/", v.scores, name="scores"),
    path("rounds/<int:round_id>/scores.xlsx", v.scores_xlsx, name="scores_xlsx"),
    path("tracks/<int:track_id>/ranking/", v.ranking, name="ranking"),
    path("tracks/<int:track_id>/freeze/", v.freeze, name="freeze"),
    path("tracks/<int:track_id>/snapshots/<int:version>.json", v.snapshot_json, name="snapshot_json"),
    path("tracks/<int:track_id>/trace/<int:entry_id>/", v.trace, name="trace"),
]
