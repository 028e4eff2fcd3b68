"""Ingest targets: which FileRule applies to a finished upload, decided by the app that will own
the file.

`POST /files/uploads/<id>/ingest` carries the target's own fields (the entry form's uploader sends
`track` and `slot`). Media does not read them: it hands them to a resolver registered by a higher
app at start-up (`AppConfig.ready()`), which returns a `Target` (the rule, the purpose recorded on
the file, the audit scope) or raises a `DomainError` with a translated message::

    from zhengji.media import targets
    targets.register("entry_slot", resolve_entry_slot, default=True)

A request may name its target with the field `target`; without one the default target is used.
With no such target registered, the upload is refused with a clear message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from zhengji.common.errors import DomainError

from .filerules import FileRule


@dataclass(frozen=True)
class Target:
    """Where an upload goes: the rule its content must meet, the purpose recorded on the file
    (e.g. the form field's key; the owning app may later require it to match), and labels for the
    upload test page. `campaign_id` scopes the audit record of the new file."""

    rule: FileRule
    purpose: str = ""
    label: str = ""
    label_en: str = ""
    required: bool = False
    campaign_id: int | None = None
    # The request fields that name this target again (the widget posts them with each ingest).
    fields: Mapping[str, str] = field(default_factory=dict)


Resolver = Callable[[Mapping[str, Any], AbstractBaseUser], Target]

_resolvers: dict[str, Resolver] = {}
_default: list[str] = []  # at most one name


class NoTarget(DomainError):
    code = "no_target"
    status = 400


def register(name: str, resolver: Resolver, *, default: bool = False) -> None:
    """Register (or replace) the resolver of target `name`; `default=True` makes it the target of
    requests that name none."""
    _resolvers[name] = resolver
    if default:
        _default[:] = [name]


def unregister(name: str) -> None:
    _resolvers.pop(name, None)
    if _default == [name]:
        _default.clear()


def registered() -> dict[str, Resolver]:
    return dict(_resolvers)


def resolve(data: Mapping[str, Any], user: AbstractBaseUser) -> Target:
    """The target of an ingest request (`data`: its form or JSON fields). DomainError when the
    target is unknown or its resolver refuses the fields."""
    name = str(data.get("target") or "") or (_default[0] if _default else "")
    resolver = _resolvers.get(name)
    if resolver is None:
        raise NoTarget(_("Files cannot be stored here: the upload does not say what it is for."))
    return resolver(data, user)
