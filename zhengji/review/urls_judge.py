"""URLs of judging's judge area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_stub

urlpatterns = [
    path("placeholder/judge_queue/", views_stub.placeholder, name="judge_queue"),
]
