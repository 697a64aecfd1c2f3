"""WebSocket authentication: the session cookie, or a one-time ``?ticket=``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
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
