"""The public site's tables, one module per area (each area owns its module)."""

from .comments import *  # noqa: F403
from .counters import *  # noqa: F403
from .showcase import *  # noqa: F403
from .votes import *  # noqa: F403
