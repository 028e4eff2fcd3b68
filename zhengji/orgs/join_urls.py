from django.urls import path

from . import join

app_name = "join"
urlpatterns = [
    path("", join.join, name="index"),
    path("search/", join.join_search, name="search"),
    path("<str:code>/", join.join_invite, name="invite"),
]
