from django.urls import path, re_path

from . import views

# Included at /manage/ (the staff hub is /hub/); "new" is therefore not a usable campaign slug.
app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    # Images and attachments of published rules and notices: public (see campaigns.richfiles).
    re_path(r"^richtext/(?P<stem>[0-9a-f]{32})\.(?P<ext>[a-z]{2,4})$", views.richtext_file, name="richtext_file"),
    path("new/", views.campaign_create, name="create"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/edit/", views.campaign_edit, name="edit"),
    path("<slug:slug>/publish/", views.campaign_publish, name="publish"),
    path("<slug:slug>/orgs/", views.org_search, name="org_search"),
    path("<slug:slug>/richtext/upload/", views.richtext_upload, name="richtext_upload"),
    path("<slug:slug>/richtext/preview/", views.richtext_preview, name="richtext_preview"),
    path("<slug:slug>/tracks/new/", views.track_create, name="track_create"),
    path("<slug:slug>/tracks/<slug:track_slug>/", views.track_edit, name="track"),
    path("<slug:slug>/tracks/<slug:track_slug>/move/", views.track_move, name="track_move"),
    path("<slug:slug>/tracks/<slug:track_slug>/form/", views.form_builder, name="form_builder"),
    path("<slug:slug>/tracks/<slug:track_slug>/form/json/", views.form_json, name="form_json"),
    path("<slug:slug>/tracks/<slug:track_slug>/levels/", views.level_rules, name="track_levels"),
    path("<slug:slug>/levels/", views.level_rules, name="levels"),
    path("<slug:slug>/announcements/", views.announcement_list, name="announcements"),
    path("<slug:slug>/announcements/new/", views.announcement_edit, name="announcement_create"),
    path("<slug:slug>/announcements/<int:pk>/", views.announcement_edit, name="announcement_edit"),
    path("<slug:slug>/announcements/<int:pk>/action/", views.announcement_action,
         name="announcement_action"),
    path("<slug:slug>/people/", views.people, name="people"),
    path("<slug:slug>/people/<int:pk>/revoke/", views.people_revoke, name="people_revoke"),
]
