"""URLs of the public site's comments area (namespace "public", included by urls.py).
`kind` is "e" (an entry) or "a" (an announcement)."""

from django.urls import path

from . import views_comments as v

urlpatterns: list = [
    path("comments/report/<int:pk>/", v.report, name="comment_report"),
    path("comments/<str:kind>/<int:pk>/", v.comments_page, name="comments"),
    path("comments/<str:kind>/<int:pk>/thread/", v.thread_fragment, name="comment_thread"),
    path("comments/<str:kind>/<int:pk>/replies/<int:parent>/", v.replies_fragment, name="comment_replies"),
    path("comments/<str:kind>/<int:pk>/form/", v.comment_form, name="comment_form"),
    path("moderation/comments/", v.queue, name="comment_queue"),
    path("moderation/comments/words/", v.words_page, name="comment_words"),
    path("moderation/comments/settings/<slug:slug>/", v.settings_page, name="comment_settings"),
]
