from django.urls import include, path

from . import urls_comments, urls_entry, urls_gallery, urls_info, urls_votes, views

app_name = "public"
# The areas' patterns come first: their fixed words ("gallery", "winners", ...) must win over the
# track slug pattern below.
urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("", include(urls_gallery.urlpatterns)),
    path("", include(urls_entry.urlpatterns)),
    path("", include(urls_votes.urlpatterns)),
    path("", include(urls_comments.urlpatterns)),
    path("", include(urls_info.urlpatterns)),
    path("c/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("c/<slug:slug>/news/", views.announcement_list, name="announcements"),
    path("c/<slug:slug>/news/<int:pk>/", views.announcement_detail, name="announcement"),
    path("c/<slug:slug>/<slug:track_slug>/", views.track_detail, name="track"),
]
