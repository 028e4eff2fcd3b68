"""URLs of judging's setup area (included by review/urls.py under the namespace "review")."""

from django.urls import path

from . import views_setup as v

urlpatterns = [
    path("", v.tracks, name="tracks"),
    path("tracks/<int:track_id>/", v.track, name="track"),
    path("tracks/<int:track_id>/setup/", v.setup, name="setup"),
    path("tracks/<int:track_id>/rounds/", v.rounds, name="rounds"),
    path("rounds/<int:round_id>/", v.round_edit, name="round_edit"),
    path("tracks/<int:track_id>/panel/", v.panel, name="panel"),
    path("tracks/<int:track_id>/panel/orgs/", v.panel_org_search, name="panel_org_search"),
    path("tracks/<int:track_id>/tiers/", v.tiers, name="tiers"),
    path("tracks/<int:track_id>/vetting/", v.vetting, name="vetting"),
    path("tracks/<int:track_id>/vetting/<int:entry_id>/", v.vetting_entry, name="vetting_entry"),
    path("campaigns/<slug:slug>/holidays/", v.holidays, name="holidays"),
]
