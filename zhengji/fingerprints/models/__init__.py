"""Fingerprint tables, one module per medium (each engine owns its module)."""

from .audio import *  # noqa: F403
from .exact import *  # noqa: F403
from .image import *  # noqa: F403
from .text import *  # noqa: F403
from .video import *  # noqa: F403
