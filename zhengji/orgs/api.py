"""/api/orgs: the organisation tree for unit admins (scoped: 404 outside one's subtree), and a
public search for the join-a-union picker."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from zhengji.common.apitypes import ApiError, InputSchema
from zhengji.common.i18n import mask_phone

from . import membership, services
from .models import Organization, OrgKind
from .queries import pending_count, pending_page
from .scoping import admin_roots, clean_query, get_org_or_404, path_names, visible_orgs
from .views import member_rows

router = Router()


class Pages(LimitOffsetPagination):
    """limit ≤ 500 and a bounded offset: a huge offset would overflow the database driver."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10_000_000)

    def __init__(self, **kwargs):
        super().__init__(max_limit=500, **kwargs)


class OrgOut(Schema):
    id: int
    name: str
    short_name: str
    name_en: str
    kind: OrgKind
    code: str
    member_count: int
    contact_name: str
    contact_phone: str
    address: str
    is_active: bool
    depth: int
    numchild: int = Field(description="Number of direct sub-organisations")


class OrgDetailOut(OrgOut):
    parent_id: int | None = None
    path_names: list[str] = Field(default_factory=list, description="Names of the ancestors, root first")


class OrgCreateIn(InputSchema):
    parent: int
    name: str
    code: str
    kind: OrgKind = OrgKind.GRASSROOTS
    short_name: str = ""
    name_en: str = ""
    member_count: int = 0
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""


class OrgPatchIn(InputSchema):
    name: str | None = None
    short_name: str | None = None
    name_en: str | None = None
    kind: OrgKind | None = None
    code: str | None = None
    member_count: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None


class MoveIn(InputSchema):
    target: int = Field(description="id of the new parent organisation")


class DeactivateIn(InputSchema):
    reason: str = ""


class DeactivateOut(Schema):
    id: int
    deactivated: int


class MemberOut(Schema):
    id: int
    user_id: int
    name: str
    phone: str
    status: str
    created: str


class PublicOrgOut(Schema):
    id: int
    name: str
    path_names: list[str]


def _require_access(request) -> None:
    if not request.user.has_perm("orgs.access"):
        raise PermissionDenied


def _detail(request, org: Organization) -> dict:
    step = Organization.steplen
    parent = Organization.objects.filter(path=org.path[:-step]).only("id").first() if org.depth > 1 else None
    data = OrgOut.from_orm(org).dict()
    data["parent_id"] = parent.pk if parent else None
    data["path_names"] = path_names([org])[org.pk]
    return data


@router.get("/search", auth=None, response=list[PublicOrgOut], summary="Public search for the join-a-union picker")
def search(request: HttpRequest, q: str = ""):
    q = clean_query(q, 50)
    if not q:
        return []
    orgs = list(Organization.objects.filter(is_active=True).filter(Q(name__icontains=q) | Q(short_name__icontains=q))
                .only("id", "name", "path").order_by("depth", "path")[:20])
    names = path_names(orgs)
    return [{"id": o.pk, "name": o.name, "path_names": names[o.pk]} for o in orgs]


@router.get("", response=list[OrgOut], summary="Administered roots, or the children of ?parent, or a ?q search")
@paginate(Pages)
def list_orgs(request: HttpRequest, parent: int | None = None, q: str = ""):
    _require_access(request)
    q = clean_query(q)
    if q:
        return (visible_orgs(request.user)
                .filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q)).order_by("path"))
    if parent is not None:
        p = get_org_or_404(request.user, parent)
        return Organization.objects.filter(path__startswith=p.path, depth=p.depth + 1).order_by("code")
    return admin_roots(request.user)


@router.get("/{int:org_id}", response=OrgDetailOut)
def get_org(request: HttpRequest, org_id: int):
    _require_access(request)
    return _detail(request, get_org_or_404(request.user, org_id))


@router.post("", response={201: OrgDetailOut}, summary="Create a sub-organisation")
def create_org(request: HttpRequest, payload: OrgCreateIn):
    _require_access(request)
    parent = get_org_or_404(request.user, payload.parent)
    fields = payload.dict(exclude={"parent"})
    child = services.create_child(request.user, parent, **fields)
    return Status(201, _detail(request, child))


@router.patch("/{int:org_id}", response=OrgDetailOut)
def patch_org(request: HttpRequest, org_id: int, payload: OrgPatchIn):
    _require_access(request)
    org = get_org_or_404(request.user, org_id)
    org = services.update_org(request.user, org, **payload.dict(exclude_unset=True, exclude_none=True))
    return _detail(request, org)


@router.post("/{int:org_id}/move", response=OrgDetailOut)
def move_org(request: HttpRequest, org_id: int, payload: MoveIn):
    _require_access(request)
    org = get_org_or_404(request.user, org_id)
    target = get_org_or_404(request.user, payload.target)
    return _detail(request, services.move_org(request.user, org, target))


@router.post("/{int:org_id}/deactivate", response=DeactivateOut)
def deactivate_org(request: HttpRequest, org_id: int, payload: DeactivateIn | None = None):
    _require_access(request)
    org = get_org_or_404(request.user, org_id)
    n = services.deactivate_org(request.user, org, reason=(payload.reason if payload else "")[:500])
    return {"id": org.pk, "deactivated": n}


@router.get("/{int:org_id}/members", response=list[MemberOut], summary="Members, pending requests first")
@paginate(Pages)
def list_members(request: HttpRequest, org_id: int):
    _require_access(request)
    org = get_org_or_404(request.user, org_id)
    full = request.user.has_perm("orgs.view_member_phones", org)
    # Materialise only the requested page: paginate slices this iterator-friendly queryset first.
    return _MemberPage(member_rows(org), full)


class _MemberPage:
    """Lazily maps a membership queryset to MemberOut dicts, so pagination slices the query."""

    def __init__(self, qs, full: bool):
        self.qs, self.full = qs, full

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        rows = self.qs[item]
        return [{"id": m.pk, "user_id": m.user_id, "name": m.user.real_name,
                 "phone": m.user.phone if self.full else mask_phone(m.user.phone),
                 "status": m.status, "created": m.created.isoformat()} for m in rows]


# --- members awaiting confirmation ---------------------------------------------------------------

class PendingOut(Schema):
    id: int = Field(description="membership id")
    user_id: int
    name: str
    phone: str
    org_id: int
    org_label: str = Field(description="the organisation's path, root left out")
    requested_at: str


class PendingPageOut(Schema):
    items: list[PendingOut]
    next_after: int | None = Field(description="pass as ?after= for the next page; null on the last page")
    total: int = Field(description="requests waiting in the scope (the unit's subtree with ?unit)")


class DecideIn(InputSchema):
    ids: list[int] = Field(min_length=1, max_length=membership.MAX_BATCH, description="membership ids")
    action: Literal["confirm", "decline"]
    reason: str = Field("", max_length=500, description="for a decline; shown to the worker")


class DecideOut(Schema):
    decided: list[int]
    status: str


@router.get("/pending", response={200: PendingPageOut, 403: ApiError, 404: ApiError},
            summary="Membership requests waiting in the admin's subtrees, oldest first (keyset pages)")
def list_pending(request: HttpRequest, unit: int | None = None, after: int | None = None, limit: int = 50):
    _require_access(request)
    limit = max(1, min(limit, 200))
    after = after if after is not None and 0 < after < 2**62 else None
    org = get_org_or_404(request.user, unit) if unit is not None else None
    rows, nxt = pending_page(request.user, unit=org, after=after, limit=limit)
    items = [{"id": m.pk, "user_id": m.user_id, "name": m.user.real_name, "phone": m.user.phone,
              "org_id": m.org_id, "org_label": m.org_label,  # type: ignore[attr-defined]  # set by pending_page
              "requested_at": (m.requested_at or m.created).isoformat()} for m in rows]
    return {"items": items, "next_after": nxt, "total": pending_count(request.user, org)}


@router.post("/pending/decide", response={200: DecideOut, 400: ApiError, 403: ApiError, 404: ApiError},
             summary="Confirm or decline many requests at once (all or nothing)")
def decide_pending(request: HttpRequest, payload: DecideIn):
    _require_access(request)
    done = membership.decide_memberships(request.user, payload.ids, confirm=payload.action == "confirm",
                                         reason=payload.reason)
    return {"decided": [m.pk for m in done], "status": done[0].status}
