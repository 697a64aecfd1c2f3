"""The client's address, one rule for every reader (the log-in lockout, the API's throttles, the
page limiter, the audit log) under WSGI and ASGI alike.

``X-Forwarded-For`` is whatever the client sent, with each proxy appending the address it got
the request from. So only the last ``TRUSTED_PROXIES`` entries were written by our own proxies:
with N of them, the N-th address from the right is the client; with none (the default), the
header is ignored and the connection's address is the client."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def _from_forwarded(peer: str, forwarded_for: Iterable[str]) -> str:
    trusted = settings.TRUSTED_PROXIES
    if trusted <= 0:
        return peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    # Fewer entries than proxies: the request did not come through them all, so the header is
    # the client's own words.
    if len(hops) < trusted:
        return peer
    address = hops[-trusted]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return peer


def client_address(request: HttpRequest | None) -> str:
    """The address of the client that sent ``request`` ("" when unknown)."""
    if request is None:
        return ""
    meta: Mapping[str, Any] = request.META
    peer = str(meta.get("REMOTE_ADDR") or "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    return _from_forwarded(peer, [forwarded] if forwarded else [])
