"""The public pages of results (/results/): proposed results on notice with the objection form,
final results with each track's frozen hash, the published notice, certificate verification."""

from django.urls import path

from . import public_urls_notice
from . import views_public_publicity as publicity

app_name = "results"
urlpatterns: list = [
    # publicity area
    path("", publicity.index, name="index"),
    path("notice/<int:publicity_id>/", publicity.publicity, name="publicity"),
    path("notice/<int:publicity_id>/objection/", publicity.objection_new, name="objection_new"),
    path("tracks/<int:track_id>/", publicity.track, name="track"),
    path("objections/mine/", publicity.my_objections, name="my_objections"),
    # notice area
    *public_urls_notice.urlpatterns,
]
