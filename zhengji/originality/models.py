"""Originality: similarity flags, AI-content labels, the reference set, staff decisions."""

from django.db import models  # noqa: F401
