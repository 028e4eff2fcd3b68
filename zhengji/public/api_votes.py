"""JSON API of the public site's votes area (added to the public router, /api/public)."""

from ninja import Router

router = Router()
