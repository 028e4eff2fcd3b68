"""URLs of the public site's votes area (namespace "public", included by urls.py)."""

from django.urls import path

from . import views_votes

urlpatterns: list = [
    path("w/<int:pk>/vote/", views_votes.vote, name="vote"),
    path("w/<int:pk>/vote-box/", views_votes.vote_box, name="vote_box"),
    path("votes/challenge/", views_votes.vote_challenge, name="vote_challenge"),
    path("votes/queue/", views_votes.vote_queue, name="vote_queue"),
    path("votes/tracks/<int:track_id>/", views_votes.vote_window, name="vote_window"),
]
