"""The JSON API of judging's results area (mounted by review/api.py)."""

from ninja import Router

router = Router()
