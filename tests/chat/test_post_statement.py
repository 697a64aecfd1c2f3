"""A socket's message on PostgreSQL, posted on the event loop (``chat.post_statement``): it stores
exactly what the general post would, and leaves every refusal to it.

Transactional: the loop's own connections see only what was committed."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.db import connection

from accounts.models import Role, User
from chat import post_statement, services
from chat.groups import conversation_group, notification_group
from chat.models import Block, Conversation, Membership, Message, Report
from chat.selectors import message_payload
from tests.chat.conftest import make_conversation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.CHAT_RATE_PER_SECOND = 10_000


@pytest.fixture
def general_posts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each call of the general post (in a worker thread), which still runs."""
    calls: list[dict[str, Any]] = []
    store = services.message_store

    def counted(**kwargs: Any) -> tuple[Message, bool]:
        calls.append(kwargs)
        return store(**kwargs)

    monkeypatch.setattr(services, "message_store", counted)
    return calls


async def _post(
    conversation: Conversation, sender: User, body: str, client_id: str = ""
) -> tuple[Message, bool]:
    return await post_statement.message_post(
        conversation_id=conversation.pk,
        sender=sender,
        body=body,
        client_id=client_id,
        language="en",
    )


def _members(conversation: Conversation) -> dict[str, User]:
    return {m.user.role: m.user for m in conversation.memberships.select_related("user")}


async def test_a_members_message_is_stored_and_announced_without_the_general_post(
    postgres: None, sent: list[Any], general_posts: list[Any]
) -> None:
    conversation = await database_sync_to_async(make_conversation)()
    members = await database_sync_to_async(_members)(conversation)
    student, host = members[Role.STUDENT], members[Role.HOST]
    await _post(conversation, host, "first")
    message, created = await _post(conversation, student, "こんにちは", client_id="c-1")
    assert created and general_posts == []

    def check() -> None:
        stored = Message.objects.get(pk=message.pk)
        assert (stored.seq, stored.sender_id, stored.body, stored.client_id) == (
            2,
            student.pk,
            "こんにちは",
            "c-1",
        )
        assert message_payload(message) == message_payload(stored)
        conversation.refresh_from_db()
        assert conversation.last_seq == 2
        marks = dict(conversation.memberships.values_list("user_id", "last_read_seq"))
        assert marks == {host.pk: 1, student.pk: 2}  # whoever writes has read everything before
        assert sent[-2:] == [
            (
                conversation_group(conversation.pk),
                {"type": "chat.message", "message": message_payload(stored)},
            ),
            (
                notification_group(host.pk),
                {
                    "type": "notification.chat_message",
                    "conversation": conversation.pk,
                    "message": stored.pk,
                },
            ),
        ]

    await database_sync_to_async(check)()


async def test_it_stores_nothing_where_the_general_post_refuses(
    postgres: None, coordinator: User, general_posts: list[Any]
) -> None:
    def arrange() -> list[tuple[Conversation, User, type[Exception]]]:
        closed, blocked, fine = (make_conversation() for _ in range(3))
        Conversation.objects.filter(pk=closed.pk).update(status=Conversation.Status.CLOSED)
        blocker = blocked.memberships.get(user__role=Role.STUDENT).user
        Block.objects.create(conversation=blocked, blocker=blocker)
        outsider = fine.memberships.get(user__role=Role.STUDENT).user
        return [
            (closed, closed.memberships.get(user__role=Role.HOST).user, services.ChatRefused),
            (blocked, blocker, services.ChatRefused),
            (closed, outsider, Conversation.DoesNotExist),
        ]

    cases = await database_sync_to_async(arrange)()
    for conversation, sender, refusal in cases:
        with pytest.raises(refusal):
            await _post(conversation, sender, "hi")
    assert len(general_posts) == len(cases)  # each refused there, with its own words
    assert await Message.objects.acount() == 0
    assert [c.last_seq async for c in Conversation.objects.all()] == [0, 0, 0]


async def test_a_coordinator_with_a_report_open_posts_the_general_way(
    postgres: None, coordinator: User, general_posts: list[Any]
) -> None:
    conversation = await database_sync_to_async(make_conversation)()
    members = await database_sync_to_async(_members)(conversation)
    first, _created = await _post(conversation, members[Role.STUDENT], "hello")
    await Report.objects.acreate(
        message=first, conversation=conversation, reporter=members[Role.STUDENT], reason="r"
    )
    word, created = await _post(conversation, coordinator, "a word from the association")
    assert created and word.seq == 2
    assert len(general_posts) == 1


async def test_a_retried_client_id_returns_the_stored_message(
    postgres: None, general_posts: list[Any]
) -> None:
    conversation = await database_sync_to_async(make_conversation)()
    sender = (await database_sync_to_async(_members)(conversation))[Role.STUDENT]
    stored, _created = await _post(conversation, sender, "once", client_id="same")
    again, created = await _post(conversation, sender, "once", client_id="same")
    assert (again.pk, created) == (stored.pk, False)
    assert len(general_posts) == 1  # the statement stored nothing; the general post found it
    await conversation.arefresh_from_db()
    assert conversation.last_seq == 1 and await conversation.messages.acount() == 1
    mark = await Membership.objects.aget(conversation=conversation, user=sender)
    assert mark.last_read_seq == 1


async def test_every_attempt_counts_against_the_pace_a_retry_too(
    postgres: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CHAT_RATE_PER_SECOND = 2
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: 1_000_000.0))
    conversation = await database_sync_to_async(make_conversation)()
    sender = (await database_sync_to_async(_members)(conversation))[Role.HOST]
    await _post(conversation, sender, "one", client_id="a")
    await _post(conversation, sender, "one", client_id="a")
    with pytest.raises(services.ChatRefused) as refused:
        await _post(conversation, sender, "two")
    assert refused.value.code == "rate_limited"
    assert await conversation.messages.acount() == 1


async def test_an_id_past_the_databases_range_is_no_conversation(postgres: None) -> None:
    conversation = await database_sync_to_async(make_conversation)()
    sender = (await database_sync_to_async(_members)(conversation))[Role.STUDENT]
    for far in (2**63, 2**80):
        conversation.pk = far
        with pytest.raises(Conversation.DoesNotExist):
            await _post(conversation, sender, "hi")
    assert await Message.objects.acount() == 0


async def test_a_connection_the_server_dropped_costs_no_message(
    postgres: None, general_posts: list[Any]
) -> None:
    """PostgreSQL restarted under the pool: the general post stores the message, and the next
    one is the statement's again."""
    conversation = await database_sync_to_async(make_conversation)()
    sender = (await database_sync_to_async(_members)(conversation))[Role.STUDENT]
    await _post(conversation, sender, "before")

    def drop_the_pools_connections() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s",
                [post_statement.APPLICATION_NAME],
            )
            return int(cursor.fetchone()[0])

    assert await database_sync_to_async(drop_the_pools_connections)() >= 1
    during, created = await _post(conversation, sender, "during")
    assert created and during.seq == 2 and len(general_posts) == 1
    after, created = await _post(conversation, sender, "after")
    assert created and after.seq == 3 and len(general_posts) == 1
    bodies = [m.body async for m in conversation.messages.order_by("seq")]
    assert bodies == ["before", "during", "after"]


async def test_a_post_cancelled_mid_statement_leaves_no_busy_connection_behind(
    postgres: None,
) -> None:
    """A socket closed while its message was being stored: the next post gets a connection
    that answers (psycopg cancels the statement on the server and drains the connection)."""
    pool = post_statement._connections.get()

    async def slow() -> None:
        async with pool.connection() as busy:
            await busy.execute("SELECT pg_sleep(5)")

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.3)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    async with pool.connection() as next_one:
        assert await (await next_one.execute("SELECT 1")).fetchone() == (1,)


async def test_a_database_that_does_not_answer_fails_the_connection_in_seconds(
    postgres: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(post_statement, "CONNECT_TIMEOUT_SECONDS", 2)  # libpq's least
    with socket.socket() as silent:  # listens, and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        pool = post_statement._Connections()
        pool._params.update(host="127.0.0.1", port=silent.getsockname()[1])
        with pytest.raises(psycopg.OperationalError):
            async with asyncio.timeout(8):
                async with pool.connection():
                    pass
