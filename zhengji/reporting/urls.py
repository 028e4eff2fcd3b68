from django.urls import path

from . import reminder_views, views, views_exports, views_onbehalf

app_name = "reporting"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide/", views.decide, name="decide"),
    path("move/", views.move, name="move"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/send/", views.batch_send, name="batch_send"),
    path("batches/<int:pk>/stamp/", views.batch_stamp, name="batch_stamp"),
    path("batches/<int:pk>/stamp/file", views.batch_stamp_file, name="batch_stamp_file"),
    path("batches/<int:pk>/summary.xlsx", views.batch_summary, name="batch_summary"),
    path("batches/<int:pk>/summary.pdf", views_exports.batch_summary_pdf_view, name="batch_summary_pdf"),
    path("batches/<int:pk>/forms.zip", views_exports.batch_forms_zip_view, name="batch_forms_zip"),
    path("batches/<int:pk>/forms/<int:entry_id>.<str:fmt>", views_exports.batch_form_view, name="batch_form"),
    path("host/", views_exports.host_index, name="host_index"),
    path("host/<int:pk>/", views_exports.host_track, name="host_track"),
    path("host/<int:pk>/package.zip", views_exports.host_package_view, name="host_package"),
    path("host/<int:pk>/forms/<int:entry_id>.<str:fmt>", views_exports.host_form_view, name="host_form"),
    path("reminders/", reminder_views.reminder_page, name="reminders"),
    path("reminders/log/", reminder_views.reminder_log, name="reminder_log"),
    path("reminders/settings/<slug:slug>/", reminder_views.reminder_settings, name="reminder_settings"),
    path("extensions/", reminder_views.extensions_page, name="extensions"),
    path("extensions/grant/", reminder_views.extension_grant, name="extension_grant"),
    path("extensions/<int:pk>/revoke/", reminder_views.extension_revoke, name="extension_revoke"),
    path("onbehalf/", views_onbehalf.entered, name="onbehalf"),
    path("onbehalf/new/", views_onbehalf.new, name="onbehalf_new"),
    path("imports/", views_onbehalf.import_start, name="import_start"),
    path("imports/template/<int:track_id>.xlsx", views_onbehalf.import_template, name="import_template"),
    path("imports/<int:pk>/", views_onbehalf.import_detail, name="import"),
    path("imports/<int:pk>/apply/", views_onbehalf.import_apply, name="import_apply"),
    path("claim/", views_onbehalf.claim, name="claim"),
]
