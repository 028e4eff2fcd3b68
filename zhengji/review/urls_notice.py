"""URLs of judging's notice area (the lead includes them in review/urls.py, namespace "review"):
the results notices, the notice editor, certificates per track, the entrant's certificates."""

from django.urls import path

from . import views_notice as v

urlpatterns = [
    path("notices/", v.notices, name="notices"),
    path("notices/new/", v.notice_create, name="notice_create"),
    path("notices/<int:notice_id>/", v.notice_edit, name="notice_edit"),
    path("notices/<int:notice_id>/template/", v.notice_template, name="notice_template"),
    path("notices/<int:notice_id>/preview.<str:fmt>", v.notice_preview, name="notice_preview"),
    path("notices/<int:notice_id>/publish/", v.notice_publish, name="notice_publish"),
    path("tracks/<int:track_id>/certificates/", v.track_certificates, name="certificates"),
    path("certificates/<int:certificate_id>/revoke/", v.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:certificate_id>/certificate.pdf", v.certificate_download, name="certificate_download"),
    path("certificates/mine/", v.my_certificates, name="my_certificates"),
]
