"""The JSON API of judging's assign area (mounted by review/api.py)."""

from ninja import Router

router = Router()
