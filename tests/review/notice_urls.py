"""The site's URLs with the notice area mounted (its staff pages under the "review" namespace, its
public pages under "results", its API at /api/v1/review-notice/), as the lead mounts them on
merging: a test URLconf, so that this area's tests run before and after the merge alike."""

from django.urls import include, path

from zhengji import urls as site
from zhengji.api.auth import auth_methods
from zhengji.api.errors import install_error_handlers
from zhengji.api.openapi import ZhengjiAPI
from zhengji.review import api_notice, public_urls, public_urls_notice, urls_notice
from zhengji.review import urls as review_urls

notice_api = ZhengjiAPI(title="review notice (tests)", version="1", auth=auth_methods(),
                        urls_namespace="api_review_notice")
install_error_handlers(notice_api)
notice_api.add_router("/review", api_notice.router)

_replaced = {"review/", "results/"}
urlpatterns = [
    path("review/", include((urls_notice.urlpatterns + review_urls.urlpatterns, "review"))),
    path("results/", include((public_urls_notice.urlpatterns + public_urls.urlpatterns, "results"))),
    path("api/test-notice/", notice_api.urls),
    *[p for p in site.urlpatterns if str(p.pattern) not in _replaced],
]
