"""WebSocket admission: the page's origin must be the site's, then the user is the session
cookie's or a one-time ``?ticket=``'s."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from accounts.services import ws_ticket_redeem


class TicketAuthMiddleware(BaseMiddleware):  # type: ignore[misc]  # channels ships no types
    """A ``ticket`` in the query string decides the user, even over a session cookie: a client
    that asks with a ticket means that identity, and a bad ticket means nobody."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        tickets = query.get("ticket")
        if tickets:
            user = await database_sync_to_async(ws_ticket_redeem)(ticket=tickets[0])
            scope = dict(scope, user=user or AnonymousUser())
        return await super().__call__(scope, receive, send)


def TicketOrSessionAuthMiddlewareStack(inner: Any) -> Any:
    return AuthMiddlewareStack(TicketAuthMiddleware(inner))


def site_origins() -> list[str]:
    """The origins a page of this site is served from: SITE_URL's and CSRF_TRUSTED_ORIGINS'
    (``https://*.example.org`` as Channels spells a subdomain wildcard, ``https://.example.org``)."""
    origins = [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]
    return [
        f"{parts.scheme}://{parts.netloc.replace('*.', '.', 1)}".lower()
        for parts in map(urlsplit, origins)
        if parts.scheme and parts.netloc
    ]


class SiteOriginValidator:
    """Channels' origin check on scheme, host and port against ``site_origins``; outside
    production also the origin the request names itself (its Host: the dev server's own)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        allowed = site_origins()
        if not settings.PRODUCTION:
            for name, value in scope.get("headers", []):
                if name == b"host":
                    host = value.decode("latin-1").lower()
                    allowed += [f"http://{host}", f"https://{host}"]
        return await OriginValidator(self.application, allowed)(scope, receive, send)
