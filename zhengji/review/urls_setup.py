"""URLs of judging's setup area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_stub

urlpatterns = [
    path("placeholder/tracks/", views_stub.placeholder, name="tracks"),
]
