"""The address of the client behind a request, for throttling and the audit trail.

``REMOTE_ADDR`` is the peer that opened the connection. Behind a reverse proxy that is the
proxy, and the client's address is in ``X-Forwarded-For`` — but anyone can send that header,
so it is read only when the peer is one of ``TRUSTED_PROXIES`` (addresses or CIDR ranges).
The header is then walked from the right (each proxy appends the address it saw), skipping
trusted proxies; the first address that is not one is the client. Anything malformed there
falls back to the last trusted hop, never to a value the client chose.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:443
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.5:51234
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Any, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    meta = getattr(request, "META", {})
    peer = _parse(meta.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    client = peer
    for hop in reversed(hops[-20:]):
        address = _parse(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
