from django.urls import path

from . import views

# Included at /manage/ (which common:manage also uses), so every path starts with campaigns/.
app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="detail"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="edit"),
    path("campaigns/<slug:slug>/publish/", views.campaign_publish, name="publish"),
    path("campaigns/<slug:slug>/orgs/", views.org_search, name="org_search"),
    path("campaigns/<slug:slug>/tracks/new/", views.track_create, name="track_create"),
    path("campaigns/<slug:slug>/tracks/<slug:track_slug>/", views.track_edit, name="track_edit"),
    path("campaigns/<slug:slug>/tracks/<slug:track_slug>/move/", views.track_move, name="track_move"),
    path("campaigns/<slug:slug>/tracks/<slug:track_slug>/form/", views.form_builder, name="form_builder"),
    path("campaigns/<slug:slug>/tracks/<slug:track_slug>/form/json/", views.form_json, name="form_json"),
    path("campaigns/<slug:slug>/tracks/<slug:track_slug>/levels/", views.level_rules, name="track_levels"),
    path("campaigns/<slug:slug>/levels/", views.level_rules, name="levels"),
    path("campaigns/<slug:slug>/announcements/", views.announcement_list, name="announcements"),
    path("campaigns/<slug:slug>/announcements/new/", views.announcement_edit, name="announcement_create"),
    path("campaigns/<slug:slug>/announcements/<int:pk>/", views.announcement_edit, name="announcement_edit"),
    path("campaigns/<slug:slug>/announcements/<int:pk>/action/", views.announcement_action,
         name="announcement_action"),
    path("campaigns/<slug:slug>/people/", views.people, name="people"),
    path("campaigns/<slug:slug>/people/<int:pk>/revoke/", views.people_revoke, name="people_revoke"),
]
