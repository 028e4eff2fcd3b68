"""Judging's pages, one module per area: set-up (rounds, rubric, panel, tiers, conflicts,
assignment), the judge's workspace, results (scores, ranking, decisions, freezing, traceability),
publicity (objections, notice, certificates). Public pages are in `public_urls.py` (/results/)."""

from django.urls import include, path

from . import urls_assign, urls_judge, urls_notice, urls_publicity, urls_results, urls_setup

app_name = "review"
urlpatterns = [
    path("", include(urls_setup)),
    path("", include(urls_assign)),
    path("", include(urls_judge)),
    path("", include(urls_results)),
    path("", include(urls_publicity)),
    path("", include(urls_notice)),
]
