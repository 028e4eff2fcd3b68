"""Public URLs of the notice area (the lead includes them in review/public_urls.py, namespace
"results", mounted at /results/): published notices and their downloads, certificate verification."""

from django.urls import path

from . import views_notice as v

urlpatterns = [
    path("notices/", v.public_notices, name="notice_list"),
    path("notices/<int:pk>/", v.public_notice, name="notice"),
    path("notices/<int:pk>/download.<str:fmt>", v.public_notice_download, name="notice_download"),
    path("certificates/<str:code>/", v.certificate_verify, name="certificate_verify"),
]
