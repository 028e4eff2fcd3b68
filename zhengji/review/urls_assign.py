"""URLs of judging's assign area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_assign

urlpatterns = [
    path("rounds/<int:round_id>/assign/", views_assign.assign_page, name="assign"),
    path("tracks/<int:track_id>/conflicts/", views_assign.conflicts_page, name="conflicts"),
]
