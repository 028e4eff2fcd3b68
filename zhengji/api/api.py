"""The JSON API: one NinjaAPI, one router per domain app (each app's api.py)."""

from django.http import HttpRequest
from ninja import Swagger

from zhengji.accounts.api import router as accounts_router
from zhengji.activities.api import router as activities_router
from zhengji.api.auth import auth_methods
from zhengji.api.errors import install_error_handlers
from zhengji.api.openapi import ZhengjiAPI
from zhengji.campaigns.api import router as campaigns_router
from zhengji.common.api import router as common_router
from zhengji.entries.api import router as entries_router
from zhengji.media.api import router as media_router
from zhengji.orgs.api import router as orgs_router
from zhengji.originality.api import router as originality_router
from zhengji.public.api import router as public_router
from zhengji.reporting.api import router as reporting_router
from zhengji.review.api import router as review_router
from zhengji.stats.api import router as stats_router

api = ZhengjiAPI(
    title="Zhengji API",
    version="1",
    description="Call-for-works campaigns: organisations, campaigns, tracks, announcements, entries.",
    auth=auth_methods(),
    urls_namespace="api",
    # Swagger UI from ninja's bundled static files; no online validator badge (an outside request).
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)


@api.get("/health", auth=None, tags=["meta"])
def health(request: HttpRequest) -> dict:
    return {"status": "ok"}


def _mount() -> None:
    api.add_router("/me", accounts_router, tags=["me"])
    api.add_router("/orgs", orgs_router, tags=["organisations"])
    api.add_router("/", campaigns_router, tags=["campaigns"])
    api.add_router("/public", public_router, tags=["public"])
    api.add_router("/entries", entries_router, tags=["entries"])
    api.add_router("/media", media_router, tags=["media"])
    api.add_router("/audit", common_router, tags=["audit"])
    api.add_router("/reporting", reporting_router, tags=["reporting"])
    api.add_router("/review", review_router, tags=["review"])
    api.add_router("/originality", originality_router, tags=["originality"])
    api.add_router("/activities", activities_router, tags=["activities"])
    api.add_router("/stats", stats_router, tags=["statistics"])


_mount()
