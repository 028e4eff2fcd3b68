from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.index, name="index"),
    path("pending/", views.pending, name="pending"),
    path("pending/decide/", views.pending_decide, name="pending_decide"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<str:ref>/", views.import_preview, name="import_preview"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/add/", views.create_child, name="add_child"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:pk>/members/", views.members, name="members"),
    path("<int:pk>/members/<int:mid>/decide/", views.decide, name="decide"),
    path("<int:pk>/invites/", views.invite_create, name="invite_create"),
    path("<int:pk>/invites/<int:iid>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("<int:pk>/admins/", views.admin_appoint, name="admin_appoint"),
    path("<int:pk>/admins/<int:rid>/revoke/", views.admin_revoke, name="admin_revoke"),
]
