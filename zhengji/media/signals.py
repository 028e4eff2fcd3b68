"""Signals of the media service, for the apps above it (they connect in their `ready()`).

- `media_ready(sender=MediaFile, media_id=int)`: sent after the commit that marks a file READY
  (its renditions are stored). The fingerprints app computes its hashes from it.
"""

from django.dispatch import Signal

media_ready = Signal()
