"""URLs of judging's publicity area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_stub

urlpatterns = [
    path("placeholder/objections/", views_stub.placeholder, name="objections"),
]
