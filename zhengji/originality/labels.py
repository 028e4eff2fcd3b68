"""The explicit AI label of published works (GB 45438-2025): what the public pages, the gallery
and downloads show for a work that is declared or labelled as AI-generated."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from zhengji.entries.models import AIDeclaration, Entry, EntryFile

from .models import MediaAILabel


def ai_labels(entry_ids: Iterable[int]) -> dict[int, str]:
    """{entry_id: label text} for the entries among `entry_ids` that carry one (one query for
    any number): wholly declared → "AI-generated"; partly declared or a file labelled by its
    metadata → "Contains AI-generated content"."""
    ids = [i for i in entry_ids if isinstance(i, int)]
    if not ids:
        return {}
    labelled_file = EntryFile.objects.filter(entry_id=OuterRef("pk"),
                                             media_id__in=MediaAILabel.objects.filter(generated=True).values("media_id"))
    rows = list(Entry.objects.filter(pk__in=ids).annotate(labelled=Exists(labelled_file))
            .values_list("pk", "ai_declaration", "labelled"))
    declared = {pk: d for pk, d, _l in rows if d and d != AIDeclaration.NONE}
    labelled = {pk for pk, _d, lab in rows if lab}
    out: dict[int, str] = {}
    for pk in ids:
        if declared.get(pk) == AIDeclaration.WHOLLY:
            out[pk] = _("AI-generated")
        elif pk in declared or pk in labelled:
            out[pk] = _("Contains AI-generated content")
    return out
