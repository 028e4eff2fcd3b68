"""The JSON API of judging's setup area (mounted by review/api.py)."""

from ninja import Router

router = Router()
