"""The chat socket delivers each conversation's exact sequence: resume, gaps, crossed events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from chat import selectors, services
from chat.models import Conversation, Message
from tests.chat.socket_helpers import chat_socket, post

pytestmark = pytest.mark.django_db(transaction=True)


async def test_resume_replays_exactly_what_was_missed_in_order(
    conversation: Conversation, student: User, host: User
) -> None:
    first = await post(conversation, host, "one")
    await post(conversation, host, "two")
    await post(conversation, host, "three")
    async with chat_socket(conversation, student) as a:
        await a.send_json_to({"type": "resume", "after": first.pk})
        bodies = [(await a.receive_json_from())["message"]["body"] for _ in range(2)]
        assert bodies == ["two", "three"]
        assert await a.receive_nothing(0.2)
        # A live message after the replay is delivered once.
        await post(conversation, host, "four")
        assert (await a.receive_json_from())["message"]["body"] == "four"
        assert await a.receive_nothing(0.2)


async def test_a_message_live_before_the_resume_is_not_replayed_again(
    conversation: Conversation, student: User, host: User
) -> None:
    first = await post(conversation, host, "one")
    await post(conversation, host, "two")
    async with chat_socket(conversation, student) as a:
        # The client's resume is still on its way (a slow network) when a message arrives.
        await post(conversation, host, "three")
        assert (await a.receive_json_from())["message"]["body"] == "three"
        await a.send_json_to({"type": "resume", "after": first.pk})
        assert (await a.receive_json_from())["message"]["body"] == "two"
        assert await a.receive_nothing(0.2)


async def test_resume_pages_through_a_long_history(
    conversation: Conversation, student: User, host: User, settings: Any
) -> None:
    settings.CHAT_RATE_PER_SECOND = 10_000

    def many() -> None:
        for n in range(230):
            services.message_post(conversation_id=conversation.pk, sender=host, body=f"m{n}")

    await database_sync_to_async(many)()
    async with chat_socket(conversation, student) as a:
        await a.send_json_to({"type": "resume", "after": 0})
        seqs = [(await a.receive_json_from())["message"]["seq"] for _ in range(230)]
        assert seqs == list(range(1, 231))
        assert await a.receive_nothing(0.2)


async def test_a_dropped_broadcast_is_filled_from_the_database(
    conversation: Conversation, student: User, host: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with chat_socket(conversation, student) as a:
        real = services._group_send_now
        monkeypatch.setattr(services, "_group_send_now", lambda *sends: None)
        await post(conversation, host, "lost on the layer")
        monkeypatch.setattr(services, "_group_send_now", real)
        await post(conversation, host, "next")
        bodies = [(await a.receive_json_from())["message"]["body"] for _ in range(2)]
        assert bodies == ["lost on the layer", "next"]
        assert await a.receive_nothing(0.2)


async def test_events_that_cross_on_the_layer_are_delivered_in_order(
    conversation: Conversation, student: User, host: User
) -> None:
    from channels.layers import get_channel_layer

    from chat.groups import conversation_group

    first = await post(conversation, host, "first")
    second = await post(conversation, student, "second")
    payloads = await database_sync_to_async(
        lambda: [selectors.message_payload(m) for m in (first, second)]
    )()
    await database_sync_to_async(Message.objects.filter(pk__in=[first.pk, second.pk]).delete)()
    await database_sync_to_async(Conversation.objects.filter(pk=conversation.pk).update)(last_seq=0)
    async with chat_socket(conversation, host) as b:
        layer = get_channel_layer()
        group = conversation_group(conversation.pk)
        # The second arrives first; the socket waits for the first (these rows are gone from
        # the database, so only the layer can deliver them).
        await layer.group_send(group, {"type": "chat.message", "message": payloads[1]})
        await asyncio.sleep(0.1)
        await layer.group_send(group, {"type": "chat.message", "message": payloads[0]})
        bodies = [(await b.receive_json_from())["message"]["body"] for _ in range(2)]
        assert bodies == ["first", "second"]
        assert await b.receive_nothing(0.7)
