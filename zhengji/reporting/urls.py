from django.urls import path

from . import views

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
]
