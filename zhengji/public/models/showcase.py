"""Tables of the public site's showcase area."""

from django.db import models  # noqa: F401

__all__: list[str] = []
