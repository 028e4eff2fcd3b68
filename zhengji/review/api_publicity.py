"""The JSON API of judging's publicity area (mounted by review/api.py)."""

from ninja import Router

router = Router()
