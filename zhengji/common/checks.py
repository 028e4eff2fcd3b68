"""System checks of common's settings (run by `manage.py check`, also at start-up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .context import _trusted_networks


@register()
def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        _trusted_networks(tuple(getattr(settings, "ZHENGJI_TRUSTED_PROXIES", ()) or ()))
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="Addresses or networks, e.g. 127.0.0.1,10.0.0.0/8 (docs/deployment.md).",
                      id="zhengji.E001")]
    if int(getattr(settings, "ZHENGJI_TRUSTED_PROXY_HOPS", 0) or 0) < 0:
        return [Error("ZHENGJI_TRUSTED_PROXY_HOPS must not be negative.", id="zhengji.E002")]
    return []
