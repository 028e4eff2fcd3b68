from django.urls import path

from . import views

app_name = "common"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    # The staff hub; /manage/ belongs to the campaigns app.
    path("hub/", views.manage, name="manage"),
    path("hub/audit/", views.audit, name="audit"),
    path("hub/audit/export.csv", views.audit_export, name="audit_export"),
]
