"""JSON API of the public site's entry area (added to the public router, /api/public).

`GET /api/public/entries/{id}`: the entry page's projection (`entry_page.EntryPage`), through the
public gate (404 for anything the public may not see). The view beacon is the page's own
CSRF-protected `POST /w/{id}/seen` (`public:entry_seen`), not an API endpoint: an API beacon without
the page's CSRF token would let any site count its visitors' views of an entry."""

from django.http import HttpRequest
from ninja import Router

from zhengji.entries.queries import View, entry_for

from . import entry_page

router = Router()


@router.get("/entries/{entry_id}", response=entry_page.EntryPage, auth=None,
            summary="A public entry as its page shows it")
def get_entry(request: HttpRequest, entry_id: int):
    entry = entry_for(request.user, entry_id, permission=None, view=View.PUBLIC)
    return entry_page.build(entry)
