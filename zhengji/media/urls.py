from django.urls import path, re_path

from . import views_media

app_name = "media"
urlpatterns: list = [
    # media-process: renditions, original, processing status and retry of a MediaFile.
    re_path(r"^m/(?P<pk>\d+)/(?P<name>thumb|web|poster|preview)$", views_media.rendition, name="rendition"),
    path("m/<int:pk>/original", views_media.original, name="original"),
    path("m/<int:pk>/status", views_media.status, name="status"),
    path("m/<int:pk>/retry", views_media.retry, name="retry"),
]
