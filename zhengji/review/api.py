"""The JSON API of judging and results: one router per area, mounted at /api/v1/review."""

from ninja import Router

from .api_assign import router as assign_router
from .api_judge import router as judge_router
from .api_notice import router as notice_router
from .api_publicity import router as publicity_router
from .api_results import router as results_router
from .api_setup import router as setup_router

router = Router()
router.add_router("", setup_router)
router.add_router("", assign_router)
router.add_router("", judge_router)
router.add_router("", results_router)
router.add_router("", publicity_router)
router.add_router("", notice_router)
