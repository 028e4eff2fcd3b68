"""The network an address belongs to: the unit of per-network limits and anomaly checks."""

from __future__ import annotations

import ipaddress
from functools import lru_cache


# Pure and called on every vote and comment with the same addresses over and over.
@lru_cache(maxsize=4096)
def network_of(ip: str | None, *, v4_prefix: int = 24, v6_prefix: int = 64) -> str:
    """The /24 (IPv4) or /64 (IPv6, one household or phone) of an address, "" when it is none."""
    if not ip:
        return ""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = v4_prefix if addr.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))
