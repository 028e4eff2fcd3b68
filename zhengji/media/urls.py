from django.urls import path, re_path

from . import views_media
from .uploads import tus, views

app_name = "media"
urlpatterns: list = [
    # Uploads: tus endpoint, ingest of a finished upload into a file slot, a staff test page.
    path("tus/", tus.tus_collection, name="tus"),
    path("tus/<uuid:upload_id>", tus.tus_detail, name="tus_detail"),
    path("uploads/<uuid:upload_id>/ingest", views.ingest, name="ingest"),
    path("upload-test/", views.upload_test, name="upload_test"),
    # Renditions, original, processing status and retry of a MediaFile.
    re_path(r"^m/(?P<pk>\d+)/(?P<name>thumb|web|poster|preview)$", views_media.rendition, name="rendition"),
    path("m/<int:pk>/original", views_media.original, name="original"),
    path("m/<int:pk>/status", views_media.status, name="status"),
    path("m/<int:pk>/retry", views_media.retry, name="retry"),
]
