from django.urls import path

from . import tus, views

app_name = "media"
urlpatterns: list = [
    # --- uploads (media-upload) ---
    path("tus/", tus.tus_collection, name="tus"),
    path("tus/<uuid:upload_id>", tus.tus_detail, name="tus_detail"),
    path("uploads/<uuid:upload_id>/ingest", views.ingest, name="ingest"),
    path("upload-test/", views.upload_test, name="upload_test"),
    # --- end uploads ---
]
