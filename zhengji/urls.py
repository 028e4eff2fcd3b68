from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from zhengji.api.api import api

urlpatterns = [
    path("", include("zhengji.public.urls")),
    path("accounts/join/", include("zhengji.orgs.join_urls")),  # joining a union: orgs' pages, old paths
    path("accounts/", include("zhengji.accounts.urls")),
    path("orgs/", include("zhengji.orgs.urls")),
    path("manage/", include("zhengji.campaigns.urls")),
    path("entries/", include("zhengji.entries.urls")),
    path("files/", include("zhengji.media.urls")),
    path("reporting/", include("zhengji.reporting.urls")),
    path("activities/", include("zhengji.activities.urls")),
    path("review/", include("zhengji.review.urls")),
    path("originality/", include("zhengji.originality.urls")),
    path("results/", include("zhengji.review.public_urls")),
    path("stats/", include("zhengji.stats.urls")),
    path("", include("zhengji.common.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
]

# Media files are never served straight from MEDIA_ROOT: originals are private, and renditions
# go through permission-checked views (zhengji.media.views_media).
