"""`fingerprinted(sender=None, subject=(type, id), media=[...])`: sent after a subject's
fingerprints were stored (the originality app looks for matches then)."""

from django.dispatch import Signal

fingerprinted = Signal()
