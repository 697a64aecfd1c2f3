"""The WebSocket origin check: scheme, host and port must be one of the site's origins."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from accounts import services
from accounts.models import User
from accounts.websocket import SiteOriginValidator, site_origins


async def accept_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})


async def admitted(origin: str, host: str = "engawa.example") -> bool:
    headers = [(b"origin", origin.encode()), (b"host", host.encode())]
    communicator = WebsocketCommunicator(SiteOriginValidator(accept_app), "/ws/x/", headers)
    try:
        connected, _code = await communicator.connect()
        return bool(connected)
    finally:
        await communicator.disconnect()


PRODUCTION = {
    "PRODUCTION": True,
    "SITE_URL": "https://engawa.example",
    "CSRF_TRUSTED_ORIGINS": ["https://*.example.org"],
}


def test_the_site_origins_come_from_site_url_and_the_trusted_origins() -> None:
    with override_settings(**PRODUCTION):
        assert site_origins() == ["https://engawa.example", "https://.example.org"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://engawa.example", True),
        ("https://engawa.example:443", True),
        ("https://kobe.example.org", True),
        ("http://engawa.example", False),  # another scheme
        ("https://engawa.example:8443", False),  # another port
        ("https://engawa.example.evil.test", False),
        ("null", False),
    ],
)
async def test_production_admits_only_the_configured_origins(origin: str, allowed: bool) -> None:
    with override_settings(**PRODUCTION):
        assert await admitted(origin) is allowed


async def test_development_admits_the_dev_servers_own_origin_and_no_other_port() -> None:
    with override_settings(PRODUCTION=False, SITE_URL="http://127.0.0.1:8000"):
        assert await admitted("http://127.0.0.1:8000", host="127.0.0.1:8000")
        assert await admitted("http://localhost:8123", host="localhost:8123")
        assert not await admitted("http://127.0.0.1:9999", host="127.0.0.1:8000")
        assert not await admitted("https://127.0.0.1:8000", host="localhost:8123")


@pytest.mark.django_db(transaction=True)
async def test_a_valid_ticket_from_another_port_is_refused(student: User) -> None:
    """Issue 19 item 8: the host alone matched, so any port (any local app) passed."""
    from config.asgi import application

    ticket = await database_sync_to_async(services.ws_ticket_issue)(user=student)
    headers = [(b"origin", b"http://127.0.0.1:9999"), (b"host", b"127.0.0.1:8000")]
    communicator = WebsocketCommunicator(
        application, f"/ws/notifications/?ticket={ticket}", headers=headers
    )
    try:
        connected, _code = await communicator.connect()
        assert not connected
    finally:
        await communicator.disconnect()
