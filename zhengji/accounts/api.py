"""/api/me: the caller's own profile, membership, roles and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zhengji.common.apitypes import ApiError, InputSchema

from . import profile, roles, services
from .models import ApiToken, attach_scopes

router = Router()


class MembershipOut(Schema):
    org_id: int
    org_name: str
    org_path: str  # names from the top, joined with " › "
    status: str
    status_label: str


class RoleOut(Schema):
    id: int
    role: str
    role_label: str
    scope_type: str  # the scope kind's short name: org | track | campaign | …
    scope_id: int | None
    scope_name: str


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    phone: str | None  # the caller's own number, unmasked
    phone_verified: bool
    is_superuser: bool
    two_factor: bool
    membership: MembershipOut | None
    roles: list[RoleOut]


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=60)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created: datetime
    last_used: datetime | None
    revoked: bool


class TokenCreatedOut(TokenOut):
    key: str  # shown once



def _token_out(t: ApiToken) -> dict:
    return {"id": t.pk, "name": t.name, "prefix": t.prefix, "created": t.created, "last_used": t.last_used,
            "revoked": t.revoked}


@router.get("", response={200: MeOut, 401: ApiError}, summary="My profile, membership and roles")
def me(request: HttpRequest):
    user = request.user
    m = profile.membership_of(user)
    membership = None
    if m is not None:
        membership = {"org_id": m.org_id, "org_name": m.org_name, "org_path": m.org_path, "status": m.status,
                      "status_label": m.status_label}
    out = []
    for r in attach_scopes(user.roles.order_by("role", "pk")):
        scope = r.scope
        kind = roles.get(r.role) if roles.is_registered(r.role) else None
        out.append({"id": r.pk, "role": r.role, "role_label": r.role_label,
                    "scope_type": kind.scope_key if kind else r.scope_type,
                    "scope_id": getattr(scope, "pk", None), "scope_name": str(scope) if scope else ""})
    return {"id": user.pk, "username": user.username, "real_name": user.real_name, "phone": user.phone,
            "phone_verified": user.phone_verified, "is_superuser": user.is_superuser,
            "two_factor": services.confirmed_totp(user) is not None, "membership": membership, "roles": out}


@router.get("/tokens", response={200: list[TokenOut], 401: ApiError}, summary="My API tokens")
def list_tokens(request: HttpRequest):
    return [_token_out(t) for t in ApiToken.objects.filter(user=request.user).order_by("revoked", "-created")]


@router.post("/tokens", response={201: TokenCreatedOut, 400: ApiError, 401: ApiError, 409: ApiError},
             summary="Create an API token (the key is returned once)")
def create_token(request: HttpRequest, payload: TokenIn):
    token, key = services.create_token(request.user, payload.name)
    return 201, {**_token_out(token), "key": key}


@router.delete("/tokens/{token_id}", response={204: None, 401: ApiError, 404: ApiError},
               summary="Revoke one of my API tokens")
def revoke_token(request: HttpRequest, token_id: int):
    services.revoke_token(request.user, token_id)
    return 204, None
