"""The benchmark's ASGI app: Engawa's own application, plus the floors ``/ws/echo/`` and
``/ws/relay/<room>/`` (bench only).

Run as ``daphne bench.asgi_bench:application`` or ``uvicorn bench.asgi_bench:application``;
never mounted in production."""

from __future__ import annotations

from typing import Any

from bench.echo import EchoConsumer, RelayConsumer
from config.asgi import application as engawa_application

echo_application = EchoConsumer.as_asgi()
relay_application = RelayConsumer.as_asgi()


async def application(scope: dict[str, Any], receive: Any, send: Any) -> Any:
    if scope["type"] == "websocket" and scope.get("path") == "/ws/echo/":
        return await echo_application(scope, receive, send)
    if scope["type"] == "websocket" and scope.get("path", "").startswith("/ws/relay/"):
        return await relay_application(scope, receive, send)
    return await engawa_application(scope, receive, send)
