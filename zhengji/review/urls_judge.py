"""URLs of judging's judge area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_judge

urlpatterns = [
    path("judge/", views_judge.judge_queue, name="judge_queue"),
    path("judge/<int:assignment_id>/", views_judge.judge_entry, name="judge_entry"),
    path("judge/<int:assignment_id>/conflict/", views_judge.judge_conflict, name="judge_conflict"),
    path("judge/<int:assignment_id>/files/<int:media_id>/", views_judge.judge_file, name="judge_file"),
]
