"""The JSON API of judging's judge area (mounted by review/api.py)."""

from ninja import Router

router = Router()
