"""Signals of originality.

`ai_label_changed` (sender=Entry, entry=the entry): sent after the commit of a change that may
change an entry's explicit AI label (`labels.ai_labels`) without saving the entry itself (staff
marking it suspected, or withdrawing the mark). The public site connects it to its page cache
(`public.cache.bump_entry`), so the gallery card and the entry page show the new label at once.
"""

from django.dispatch import Signal

ai_label_changed = Signal()
