from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("c/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("c/<slug:slug>/news/", views.announcement_list, name="announcements"),
    path("c/<slug:slug>/news/<int:pk>/", views.announcement_detail, name="announcement"),
    path("c/<slug:slug>/<slug:track_slug>/", views.track_detail, name="track"),
]
