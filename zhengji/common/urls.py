from django.urls import path

from . import views

app_name = "common"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("manage/", views.manage, name="manage"),
]
