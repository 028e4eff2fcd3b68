"""The explicit AI label of published works (GB 45438-2025): what the public pages, the gallery
and downloads show for a work that is declared, labelled or suspected to be AI-generated.

`ai_labels(ids)` gives the label text in the reader's language (pages); `label_kinds(ids)` the
kind ("wholly", "partly", "suspected"), and `FILE_PREFIX` the fixed Chinese words a downloaded
file's name and a picture's corner mark carry whatever the reader's language (a file outlives
the page it was taken from)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from zhengji.entries.models import AIDeclaration, Entry, EntryFile

from .models import AISuspicion, MediaAILabel

WHOLLY, PARTLY, SUSPECTED = "wholly", "partly", "suspected"
# What a downloaded file's name starts with and what a picture's corner mark says, per kind:
# Chinese whatever the reader's language (GB 45438-2025 explicit labels).
FILE_PREFIX = {WHOLLY: "AI生成", PARTLY: "含AI生成内容", SUSPECTED: "疑似AI生成"}


def label_kinds(entry_ids: Iterable[int]) -> dict[int, str]:
    """{entry_id: kind} for the entries among `entry_ids` that carry a label, in one query for
    any number: wholly declared → "wholly"; partly declared or a file labelled by its metadata →
    "partly"; otherwise marked by staff as suspected (`AISuspicion`) → "suspected"."""
    ids = [i for i in entry_ids if isinstance(i, int)]
    if not ids:
        return {}
    labelled_file = EntryFile.objects.filter(entry_id=OuterRef("pk"),
                                             media_id__in=MediaAILabel.objects.filter(generated=True).values("media_id"))
    suspected = AISuspicion.objects.filter(entry_id=OuterRef("pk"), active=True)
    rows = list(Entry.objects.filter(pk__in=ids)
                .annotate(labelled=Exists(labelled_file), suspected=Exists(suspected))
                .values_list("pk", "ai_declaration", "labelled", "suspected"))
    out: dict[int, str] = {}
    for pk, declared, labelled, suspect in rows:
        if declared == AIDeclaration.WHOLLY:
            out[pk] = WHOLLY
        elif (declared and declared != AIDeclaration.NONE) or labelled:
            out[pk] = PARTLY
        elif suspect:
            out[pk] = SUSPECTED
    return out


def label_text(kind: str) -> str:
    """The label of a kind in the reader's language ("" for none)."""
    if kind == WHOLLY:
        return _("AI-generated")
    if kind == PARTLY:
        return _("Contains AI-generated content")
    if kind == SUSPECTED:
        return _("Suspected AI-generated content")
    return ""


def ai_labels(entry_ids: Iterable[int]) -> dict[int, str]:
    """{entry_id: label text} for the entries among `entry_ids` that carry one (one query for
    any number): wholly declared → "AI-generated"; partly declared or a file labelled by its
    metadata → "Contains AI-generated content"; marked by staff as suspected → "Suspected
    AI-generated content"."""
    return {pk: label_text(kind) for pk, kind in label_kinds(entry_ids).items()}
