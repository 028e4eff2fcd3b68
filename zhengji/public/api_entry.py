"""JSON API of the public site's entry area (added to the public router, /api/public)."""

from ninja import Router

router = Router()
