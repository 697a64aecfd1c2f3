"""The chat and notification sockets, through the real ASGI stack (origin check, ticket auth)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from accounts.models import Role, User
from chat import services
from chat.groups import notification_group, user_group
from chat.models import Conversation, Message
from tests import factories
from tests.chat.conftest import ORIGIN, open_socket, socket_for
from tests.chat.socket_helpers import chat_socket, expect_close, post

pytestmark = pytest.mark.django_db(transaction=True)


# --- authentication and membership ----------


async def test_socket_without_user_is_closed_with_4401(conversation: Conversation) -> None:
    communicator = await socket_for(f"/ws/chat/{conversation.pk}/", None)
    connected, _ = await communicator.connect()
    # Accepted first, so that the browser sees the close code rather than a failed handshake.
    assert connected is True
    await expect_close(communicator, 4401)
    await communicator.disconnect()


async def test_a_bad_ticket_means_no_user(conversation: Conversation) -> None:
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application, f"/ws/chat/{conversation.pk}/?ticket=not-a-ticket", headers=ORIGIN
    )
    connected, _ = await communicator.connect()
    assert connected
    await expect_close(communicator, 4401)
    await communicator.disconnect()


async def test_a_ticket_opens_one_socket_only(conversation: Conversation, student: User) -> None:
    from accounts.services import ws_ticket_issue
    from config.asgi import application

    ticket = await database_sync_to_async(ws_ticket_issue)(user=student)
    path = f"/ws/chat/{conversation.pk}/?ticket={ticket}"
    first = WebsocketCommunicator(application, path, headers=ORIGIN)
    assert (await first.connect())[0]
    second = WebsocketCommunicator(application, path, headers=ORIGIN)
    assert (await second.connect())[0]
    await expect_close(second, 4401)
    await first.disconnect()
    await second.disconnect()


async def test_a_foreign_origin_is_refused(conversation: Conversation, student: User) -> None:
    from accounts.services import ws_ticket_issue
    from config.asgi import application

    ticket = await database_sync_to_async(ws_ticket_issue)(user=student)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.pk}/?ticket={ticket}",
        headers=[(b"origin", b"http://evil.example")],
    )
    connected, _ = await communicator.connect()
    assert connected is False
    await communicator.disconnect()


async def test_a_non_member_is_closed_with_4403(conversation: Conversation) -> None:
    outsider = await database_sync_to_async(lambda: factories.StudentProfileFactory().user)()
    communicator = await socket_for(f"/ws/chat/{conversation.pk}/", outsider)
    assert (await communicator.connect())[0]
    await expect_close(communicator, 4403)
    await communicator.disconnect()


async def test_a_missing_conversation_is_closed_with_4403(student: User) -> None:
    communicator = await socket_for("/ws/chat/999999/", student)
    assert (await communicator.connect())[0]
    await expect_close(communicator, 4403)
    await communicator.disconnect()


async def test_a_coordinator_joins_only_while_a_report_is_open(
    conversation: Conversation, student: User, host: User, coordinator: User
) -> None:
    communicator = await socket_for(f"/ws/chat/{conversation.pk}/", coordinator)
    assert (await communicator.connect())[0]
    await expect_close(communicator, 4403)
    await communicator.disconnect()

    message = await post(conversation, host, "something rude")
    report, _ = await database_sync_to_async(services.report_create)(
        message_id=message.pk, reporter=student, reason="rude"
    )
    async with chat_socket(conversation, coordinator) as moderator:
        await moderator.send_json_to({"type": "resume", "after": 0})
        frame = await moderator.receive_json_from()
        assert frame["message"]["id"] == message.pk
        await database_sync_to_async(services.report_resolve)(report_id=report.pk, by=coordinator)
        await expect_close(moderator, 4403)


# --- messages ----------


async def test_a_message_reaches_the_other_member_and_the_sender(
    conversation: Conversation, student: User, host: User
) -> None:
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        await a.send_json_to({"type": "message", "body": "  こんにちは  ", "client_id": "c-1"})
        for communicator in (a, b):
            frame = await communicator.receive_json_from(timeout=2)
            assert frame["type"] == "message"
            message = frame["message"]
            assert message["body"] == "こんにちは"
            assert message["sender"] == student.pk
            assert message["client_id"] == "c-1"
            assert set(message) >= {"id", "sender", "body", "created_at", "client_id"}
        assert await a.receive_nothing(0.2)
        assert await b.receive_nothing(0.2)
    assert await database_sync_to_async(Message.objects.filter(body="こんにちは").count)() == 1


async def test_the_same_client_id_is_stored_once(
    conversation: Conversation, student: User, host: User
) -> None:
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        await a.send_json_to({"type": "message", "body": "hi", "client_id": "same"})
        first = await a.receive_json_from()
        await b.receive_json_from()
        # This socket already delivered it: the retry stores nothing and sends nothing new.
        await a.send_json_to({"type": "message", "body": "hi", "client_id": "same"})
        assert await a.receive_nothing(0.3)
        assert await b.receive_nothing(0.3)
    # On a new socket that never showed it, the retry is acknowledged with the stored message.
    async with chat_socket(conversation, student) as again:
        await again.send_json_to({"type": "message", "body": "hi", "client_id": "same"})
        assert (await again.receive_json_from())["message"]["id"] == first["message"]["id"]
    assert await database_sync_to_async(Message.objects.filter(client_id="same").count)() == 1


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "malformed_json"),
        (json.dumps({"type": "shout"}), "unknown_type"),
        (json.dumps({"body": "no type"}), "unknown_type"),
        (json.dumps({"type": "message", "body": "   "}), "empty_body"),
        (json.dumps({"type": "message"}), "empty_body"),
        (json.dumps({"type": "message", "body": "x" * 2001}), "body_too_long"),
        (json.dumps({"type": "message", "body": "x", "client_id": "c" * 65}), "bad_client_id"),
        (json.dumps({"type": "message", "body": "x" * 17000}), "frame_too_large"),
        (json.dumps({"type": "read", "message_id": "seven"}), "bad_message_id"),
        (json.dumps({"type": "read", "message_id": 999999}), "unknown_message"),
        (json.dumps({"type": "resume", "after": -1}), "bad_after"),
        (json.dumps({"type": "resume", "after": 999999}), "unknown_message"),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(
    conversation: Conversation, student: User, frame: str, code: str
) -> None:
    async with chat_socket(conversation, student) as a:
        await a.send_to(text_data=frame)
        error = await a.receive_json_from()
        assert error["type"] == "error"
        assert error["code"] == code
        assert error["detail"]
        await a.send_json_to({"type": "message", "body": "still here"})
        assert (await a.receive_json_from())["message"]["body"] == "still here"
    assert settings.CHAT_MAX_BODY == 2000


async def test_a_refused_message_names_its_client_id(
    conversation: Conversation, student: User
) -> None:
    async with chat_socket(conversation, student) as a:
        await a.send_json_to({"type": "message", "body": "x" * 2001, "client_id": "c-9"})
        error = await a.receive_json_from()
        assert (error["code"], error["client_id"]) == ("body_too_long", "c-9")
        await a.send_json_to({"type": "message", "body": "x", "client_id": "c" * 65})
        assert "client_id" not in await a.receive_json_from()


async def test_a_body_of_exactly_the_limit_is_accepted(
    conversation: Conversation, student: User
) -> None:
    async with chat_socket(conversation, student) as a:
        await a.send_json_to({"type": "message", "body": "字" * 2000})
        assert len((await a.receive_json_from())["message"]["body"]) == 2000


async def test_a_binary_frame_gets_an_error(conversation: Conversation, student: User) -> None:
    async with chat_socket(conversation, student) as a:
        await a.send_to(bytes_data=b"\x00\x01")
        assert (await a.receive_json_from())["code"] == "malformed_json"


async def test_more_than_five_messages_a_second_are_refused(
    conversation: Conversation, student: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One clock second for the whole test, so the count cannot roll over mid-way.
    monkeypatch.setattr(services.time, "time", lambda: 1_800_000_000.0)
    async with chat_socket(conversation, student) as a:
        for n in range(5):
            await a.send_json_to({"type": "message", "body": f"m{n}"})
            assert (await a.receive_json_from())["type"] == "message"
        await a.send_json_to({"type": "message", "body": "one too many"})
        error = await a.receive_json_from()
        assert error == {"type": "error", "code": "rate_limited", "detail": error["detail"]}
        monkeypatch.setattr(services.time, "time", lambda: 1_800_000_001.0)
        await a.send_json_to({"type": "message", "body": "next second"})
        assert (await a.receive_json_from())["message"]["body"] == "next second"
    assert not await database_sync_to_async(Message.objects.filter(body="one too many").exists)()


async def test_typing_reaches_the_other_member_only(
    conversation: Conversation, student: User, host: User
) -> None:
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        await a.send_json_to({"type": "typing"})
        assert await b.receive_json_from() == {"type": "typing", "user": student.pk}
        assert await a.receive_nothing(0.2)


async def test_a_read_mark_is_stored_and_shown_to_the_other(
    conversation: Conversation, student: User, host: User
) -> None:
    message = await post(conversation, host, "read me")
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        await a.send_json_to({"type": "read", "message_id": message.pk})
        frame = await b.receive_json_from()
        assert frame == {"type": "read", "user": student.pk, "message_id": message.pk}
    seq = await database_sync_to_async(
        lambda: conversation.memberships.get(user=student).last_read_seq
    )()
    assert seq == message.seq


async def test_writing_in_a_closed_or_blocked_conversation_is_an_error(
    conversation: Conversation, student: User, host: User
) -> None:
    await database_sync_to_async(services.conversation_block)(
        conversation_id=conversation.pk, by=host
    )
    async with chat_socket(conversation, student) as a:
        await a.send_json_to({"type": "message", "body": "hello?"})
        assert (await a.receive_json_from())["code"] == "blocked"


# --- forced closes ----------


async def test_a_cancelled_match_closes_both_sockets(
    conversation: Conversation, student: User, host: User
) -> None:
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        proposal = await database_sync_to_async(lambda: conversation.proposal)()
        await database_sync_to_async(services.conversation_close_for_proposal)(
            proposal=proposal, reason="cancelled"
        )
        for communicator in (a, b):
            assert (await communicator.receive_json_from())["type"] == "closed"
            await expect_close(communicator, 4410, timeout=2)
    refreshed = await database_sync_to_async(Conversation.objects.get)(pk=conversation.pk)
    assert refreshed.status == Conversation.Status.CLOSED


# --- the notification stream ----------


async def test_the_notification_stream_needs_a_user() -> None:
    communicator = await socket_for("/ws/notifications/", None)
    assert (await communicator.connect())[0]
    await expect_close(communicator, 4401)
    await communicator.disconnect()


async def test_a_notification_reaches_only_its_user(student: User, host: User) -> None:
    mine = await open_socket("/ws/notifications/", student)
    theirs = await open_socket("/ws/notifications/", host)
    try:
        await database_sync_to_async(services.notification_send)(
            user_ids=[student.pk], event={"kind": "proposal.published", "proposal": 7}
        )
        frame = await mine.receive_json_from(timeout=2)
        assert frame == {"type": "notification", "kind": "proposal.published", "proposal": 7}
        assert await theirs.receive_nothing(0.3)
        await mine.send_to(text_data="{}")
        assert (await mine.receive_json_from())["type"] == "error"
    finally:
        await mine.disconnect()
        await theirs.disconnect()


async def test_chat_sockets_join_the_users_group_but_not_the_notification_stream(
    conversation: Conversation, student: User, host: User
) -> None:
    # Each notice costs a layer hop per socket that receives it; chat sockets would drop it.
    layer: Any = get_channel_layer()
    async with chat_socket(conversation, host):
        assert layer.groups.get(user_group(host.pk)), "logout must still close the chat socket"
        assert not layer.groups.get(notification_group(host.pk))
        stream = await open_socket("/ws/notifications/", host)
        try:
            assert len(layer.groups[notification_group(host.pk)]) == 1
        finally:
            await stream.disconnect()


async def test_the_stream_tells_of_a_new_message_in_the_readers_language_and_the_badge_after_read(
    conversation: Conversation, student: User, host: User
) -> None:
    host.preferred_language = "ja"
    await database_sync_to_async(host.save)(update_fields=["preferred_language"])
    stream = await open_socket("/ws/notifications/", host)
    try:
        message = await post(conversation, student, "hello")
        frame = await stream.receive_json_from(timeout=2)
        assert frame == {
            "type": "notification",
            "kind": "chat.message",
            "conversation": conversation.pk,
            "message": message.pk,
            "text": f"{student.name} さんから新しいメッセージ",
            "unread": 1,
        }
        await database_sync_to_async(services.message_read)(
            conversation_id=conversation.pk, user=host, message_id=message.pk
        )
        frame = await stream.receive_json_from(timeout=2)
        assert frame == {"type": "notification", "kind": "chat.unread", "unread": 0}
    finally:
        await stream.disconnect()


async def test_a_report_notifies_coordinators_live(
    conversation: Conversation, student: User, host: User, coordinator: User
) -> None:
    assert coordinator.role == Role.COORDINATOR
    stream = await open_socket("/ws/notifications/", coordinator)
    try:
        message = await post(conversation, host, "rude")
        await database_sync_to_async(services.report_create)(
            message_id=message.pk, reporter=student, reason="rude"
        )
        frame = await stream.receive_json_from(timeout=2)
        assert frame["kind"] == "chat.report"
        assert frame["conversation"] == conversation.pk
    finally:
        await stream.disconnect()


async def test_a_message_round_trips_through_the_redis_layer(
    redis_url: str,
    redis_prefix: str,
    settings: Any,
    conversation: Conversation,
    student: User,
    host: User,
) -> None:
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "chat.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": redis_prefix},
        }
    }
    channel_layers.backends.clear()
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        await a.send_json_to({"type": "message", "body": "via redis"})
        for communicator in (a, b):
            frame = await communicator.receive_json_from(timeout=3)
            assert frame["message"]["body"] == "via redis"
        await database_sync_to_async(services.notification_send)(
            user_ids=[host.pk], event={"kind": "ping"}
        )
        await asyncio.sleep(0.2)
        assert await b.receive_nothing(0.2)  # the chat socket ignores notifications
    layer = channel_layers["default"]
    await layer.flush()
    await layer.close_pools()
