"""Chat fixtures: confirmed pairs with their conversation, and socket helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import User
from accounts.services import ws_ticket_issue
from chat import services
from chat.models import Conversation
from chat.services import conversation_open
from matching.models import Proposal
from tests import factories

ORIGIN = [(b"origin", b"http://testserver"), (b"host", b"testserver")]


def make_conversation(student: User | None = None, host: User | None = None) -> Conversation:
    """A confirmed proposal between the two (fresh users when not given) and its conversation."""
    student = student or factories.StudentProfileFactory().user
    host = host or factories.HostProfileFactory().user
    round_ = factories.RoundFactory()
    proposal = factories.ProposalFactory(
        round=round_,
        student_application=factories.ApplicationFactory(program=round_.program, user=student),
        host_application=factories.HostApplicationFactory(program=round_.program, user=host),
        status=Proposal.Status.CONFIRMED,
    )
    return conversation_open(proposal=proposal)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """What the services (and a socket's post) hand to the channel layer, in order."""
    events: list[tuple[str, dict[str, Any]]] = []

    async def record(*sends: tuple[str, dict[str, Any]]) -> None:
        events.extend(sends)

    monkeypatch.setattr(services, "group_send_all", record)
    return events


@pytest.fixture
def conversation(student: User, host: User) -> Conversation:
    return make_conversation(student, host)


@pytest.fixture
def conversation_factory(db: None) -> Callable[..., Conversation]:
    return make_conversation


async def socket_for(path: str, user: User | None, **kwargs: Any) -> WebsocketCommunicator:
    """A communicator on the real ASGI app (origin check, ticket auth, routing)."""
    from config.asgi import application

    if user is not None:
        ticket = await database_sync_to_async(ws_ticket_issue)(user=user)
        path = f"{path}?ticket={ticket}"
    return WebsocketCommunicator(application, path, headers=ORIGIN, **kwargs)


async def open_socket(path: str, user: User) -> WebsocketCommunicator:
    communicator = await socket_for(path, user)
    connected, _subprotocol = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories hash a password per user; Argon2 would make these tests slow for nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _worker_threads_close_their_connections() -> Iterator[None]:
    """Consumers query from worker threads; with persistent connections (CONN_MAX_AGE) those
    would outlive the test and keep PostgreSQL from dropping the test database."""
    from django.db import connections

    shared = connections["default"].settings_dict  # the dict every thread's connection uses
    before = shared.get("CONN_MAX_AGE", 0)
    shared["CONN_MAX_AGE"] = 0
    yield
    shared["CONN_MAX_AGE"] = before
    _close_connections_in_worker_threads()


def _close_connections_in_worker_threads() -> None:
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=5)
