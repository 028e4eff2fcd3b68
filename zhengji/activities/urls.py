from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:cid>/", views.activities, name="activities"),
    path("<int:cid>/new/", views.new_activity, name="new_activity"),
    path("<int:cid>/brand-projects/", views.brand_projects, name="brand_projects"),
    path("<int:cid>/brand-projects/new/", views.new_brand, name="new_brand"),
    path("<int:cid>/volunteers/", views.volunteers, name="volunteers"),
    path("<int:cid>/volunteers/new/", views.new_volunteer, name="new_volunteer"),
    path("<int:cid>/volunteers.xlsx", views.volunteers_xlsx, name="volunteers_xlsx"),
    path("activity/<int:pk>/", views.activity, name="activity"),
    path("activity/<int:pk>/edit/", views.edit_activity, name="edit_activity"),
    path("activity/<int:pk>/delete/", views.delete_activity, name="delete_activity"),
    path("activity/<int:pk>/photos/", views.activity_photo, name="activity_photo"),
    path("brand-project/<int:pk>/edit/", views.edit_brand, name="edit_brand"),
    path("brand-project/<int:pk>/delete/", views.delete_brand, name="delete_brand"),
    path("volunteer/<int:pk>/edit/", views.edit_volunteer, name="edit_volunteer"),
    path("volunteer/<int:pk>/delete/", views.delete_volunteer, name="delete_volunteer"),
]
