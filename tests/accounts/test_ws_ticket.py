"""POST /api/auth/ws-ticket/ and the WebSocket middleware that redeems the ticket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User, WsTicket
from accounts.websocket import TicketAuthMiddleware, TicketOrSessionAuthMiddlewareStack

URL = "/api/auth/ws-ticket/"


async def whoami_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A tiny WebSocket app: accepts, tells who the middleware decided the user is, closes."""
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    user = scope.get("user")
    who = user.email if user is not None and user.is_authenticated else "anonymous"
    await send({"type": "websocket.send", "text": who})
    await send({"type": "websocket.close", "code": 1000})


async def who_connects(app: Any, path: str) -> str:
    communicator = WebsocketCommunicator(app, path)
    try:
        connected, _code = await communicator.connect()
        assert connected
        return str(await communicator.receive_from())
    finally:
        await communicator.disconnect()


@pytest.mark.django_db
def test_a_user_gets_a_ticket(
    client_for: Callable[[User | None], APIClient], student: User
) -> None:
    answer = client_for(student).post(URL)
    assert answer.status_code == 201, answer.content
    assert len(answer.json()["ticket"]) >= 32
    assert answer.json()["expires_in"] == 60
    stored = WsTicket.objects.get(user=student)
    # Only a digest is stored, never the ticket itself.
    assert answer.json()["ticket"] not in stored.digest
    lifetime = stored.expires_at - timezone.now()
    assert timedelta(seconds=55) < lifetime <= timedelta(seconds=60)


@pytest.mark.django_db
def test_anonymous_gets_no_ticket(api: APIClient) -> None:
    assert api.post(URL).status_code in (401, 403)
    assert not WsTicket.objects.exists()


@pytest.mark.django_db
def test_a_ticket_is_redeemed_once(student: User) -> None:
    ticket = services.ws_ticket_issue(user=student)
    assert services.ws_ticket_redeem(ticket=ticket) == student
    assert services.ws_ticket_redeem(ticket=ticket) is None


@pytest.mark.django_db
def test_a_ticket_expires_after_60_seconds(student: User, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = services.ws_ticket_issue(user=student)
    issued = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: issued + timedelta(seconds=59))
    fresh = services.ws_ticket_issue(user=student)
    assert services.ws_ticket_redeem(ticket=fresh) == student
    monkeypatch.setattr(timezone, "now", lambda: issued + timedelta(seconds=61))
    assert services.ws_ticket_redeem(ticket=ticket) is None


@pytest.mark.django_db
def test_an_inactive_users_ticket_is_refused(student: User) -> None:
    ticket = services.ws_ticket_issue(user=student)
    User.objects.filter(pk=student.pk).update(is_active=False)
    assert services.ws_ticket_redeem(ticket=ticket) is None


@pytest.mark.django_db
@pytest.mark.parametrize("ticket", ["", "made-up", "x" * 500])
def test_unknown_tickets_are_refused(ticket: str) -> None:
    assert services.ws_ticket_redeem(ticket=ticket) is None


@pytest.mark.django_db
def test_purge_deletes_only_expired_tickets(student: User, host: User) -> None:
    services.ws_ticket_issue(user=student)
    services.ws_ticket_issue(user=host)
    WsTicket.objects.filter(user=student).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.ws_tickets_purge() == 1
    assert list(WsTicket.objects.values_list("user", flat=True)) == [host.pk]


@pytest.mark.django_db(transaction=True)
async def test_the_middleware_sets_the_tickets_user_once(
    client_for: Callable[[User | None], APIClient], student: User
) -> None:
    answer = await database_sync_to_async(lambda: client_for(student).post(URL))()
    ticket = answer.json()["ticket"]
    app = TicketAuthMiddleware(whoami_app)
    assert await who_connects(app, f"/ws/anything/?ticket={ticket}") == student.email
    # One-time: the same ticket a second time is nobody.
    assert await who_connects(app, f"/ws/anything/?ticket={ticket}") == "anonymous"


@pytest.mark.django_db(transaction=True)
async def test_the_full_stack_prefers_the_ticket_and_refuses_expired_ones(student: User) -> None:
    app = TicketOrSessionAuthMiddlewareStack(whoami_app)
    ticket = await database_sync_to_async(services.ws_ticket_issue)(user=student)
    await database_sync_to_async(WsTicket.objects.update)(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert await who_connects(app, f"/ws/x/?ticket={ticket}") == "anonymous"
    assert await who_connects(app, "/ws/x/") == "anonymous"
    ticket = await database_sync_to_async(services.ws_ticket_issue)(user=student)
    assert await who_connects(app, f"/ws/x/?ticket={ticket}") == student.email


@pytest.mark.django_db(transaction=True)
async def test_the_asgi_application_refuses_a_foreign_origin() -> None:
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application, "/ws/chat/1/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _code = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def close_code(communicator: WebsocketCommunicator) -> int | None:
    """The code the server closed with: refused sockets are accepted first, then closed."""
    connected, code = await communicator.connect()
    if not connected:
        return int(code) if code is not None else None
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close", message
    return int(message["code"])


@pytest.fixture
def _consumer_threads_let_go_of_the_database() -> Iterator[None]:
    """The consumers run ORM calls on Channels' database thread, which keeps its connection;
    PostgreSQL cannot drop the test database while one is open."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=5)


@pytest.mark.usefixtures("_consumer_threads_let_go_of_the_database")
@pytest.mark.django_db(transaction=True)
async def test_a_ticket_opens_a_socket_through_the_asgi_application(student: User) -> None:
    from config.asgi import application

    ticket = await database_sync_to_async(services.ws_ticket_issue)(user=student)
    origin = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    path = f"/ws/notifications/?ticket={ticket}"
    communicator = WebsocketCommunicator(application, path, headers=origin)
    try:
        connected, _code = await communicator.connect()
        assert connected
        assert await communicator.receive_nothing(timeout=0.5)
    finally:
        await communicator.disconnect()
    # Used once already: the same ticket is nobody now, closed with 4401.
    again = WebsocketCommunicator(application, path, headers=origin)
    try:
        assert await close_code(again) == 4401
    finally:
        await again.disconnect()
    # No ticket and no session: 4401 as well.
    anonymous = WebsocketCommunicator(application, "/ws/notifications/", headers=origin)
    try:
        assert await close_code(anonymous) == 4401
    finally:
        await anonymous.disconnect()
