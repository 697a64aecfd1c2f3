"""The chat and notification sockets, through the real ASGI stack (origin check, ticket auth)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.test import RequestFactory

from accounts.models import Role, User
from chat import selectors, services
from chat.models import Conversation, Message
from tests import factories
from tests.chat.conftest import ORIGIN, expect_close, open_socket, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


@asynccontextmanager
async def chat_socket(
    conversation: Conversation, user: User
) -> AsyncIterator[WebsocketCommunicator]:
    communicator = await open_socket(f"/ws/chat/{conversation.pk}/", user)
    try:
        yield communicator
    finally:
        await communicator.disconnect()


async def post(conversation: Conversation, user: User, body: str, **kwargs: Any) -> Message:
    message, _created = await database_sync_to_async(services.message_post)(
        conversation_id=conversation.pk, sender=user, body=body, **kwargs
    )
    return message


async def next_of_type(communicator: WebsocketCommunicator, kind: str) -> dict[str, Any]:
    while True:
        frame = await communicator.receive_json_from(timeout=2)
        if frame["type"] == kind:
            return frame


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


async def test_frames_and_events_do_not_queue_on_channels_sync_thread(
    conversation: Conversation, student: User, host: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Channels' per-event connection sweep runs on one thread for the whole process; the chat
    consumers' queries run on their own pool, which sweeps for itself."""
    import channels.consumer

    sweeps: list[None] = []

    async def counting_sweep() -> None:
        sweeps.append(None)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting_sweep)
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:
        await a.send_json_to({"type": "message", "body": "hello", "client_id": "sweep-1"})
        await next_of_type(a, "message")
        await next_of_type(b, "message")
        await b.send_json_to({"type": "typing"})
        await next_of_type(a, "typing")
    assert sweeps == []


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
        monkeypatch.setattr(services, "_group_send_now", lambda group, event: None)
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


async def test_logging_out_closes_the_users_sockets_within_two_seconds(
    conversation: Conversation, student: User
) -> None:
    notifications = await open_socket("/ws/notifications/", student)
    async with chat_socket(conversation, student) as a:
        request = RequestFactory().post("/logout/")
        await database_sync_to_async(user_logged_out.send)(
            sender=User, request=request, user=student
        )
        await expect_close(a, 4401, timeout=2)
        await expect_close(notifications, 4401, timeout=2)
    await notifications.disconnect()


async def test_a_new_password_closes_the_users_sockets(
    conversation: Conversation, student: User, host: User
) -> None:
    async with chat_socket(conversation, student) as a, chat_socket(conversation, host) as b:

        def change() -> None:
            user = User.objects.get(pk=student.pk)
            user.set_password("another-long-passphrase-42")
            user.save()

        await database_sync_to_async(change)()
        await expect_close(a, 4401, timeout=2)
        assert await b.receive_nothing(0.3)


async def test_deactivation_closes_the_users_sockets(
    conversation: Conversation, student: User
) -> None:
    async with chat_socket(conversation, student) as a:

        def deactivate() -> None:
            user = User.objects.get(pk=student.pk)
            user.is_active = False
            user.save()

        await database_sync_to_async(deactivate)()
        await expect_close(a, 4401, timeout=2)


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


async def test_a_consumer_that_failed_leaves_its_groups_and_stops_its_refresher(
    conversation: Conversation, student: User
) -> None:
    """Without disconnect() (a handler raised), the hourly group refresher kept the consumer
    alive and would re-join its dead channel to the groups (an overloaded bench run left 135
    of them pending in one server process after every client had gone)."""
    from channels.layers import get_channel_layer

    from chat.groups import conversation_group

    layer = get_channel_layer()
    communicator = await open_socket(f"/ws/chat/{conversation.pk}/", student)
    group = conversation_group(conversation.pk)
    (channel,) = layer.groups[group]
    await layer.send(channel, {"type": "no.such.event"})
    with pytest.raises(ValueError, match="No handler"):
        await communicator.wait(timeout=2)
    refreshers = [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "").endswith("_refresh_groups")
    ]
    assert refreshers == []
    assert channel not in layer.groups.get(group, {})
    assert all(channel not in members for members in layer.groups.values())


async def test_a_socket_ends_even_when_the_layer_loses_the_cancellation_of_its_receive(
    conversation: Conversation, student: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """redis-py can lose the cancellation of a blocking pop (redis-py#2028): channels_redis's
    receive then goes on popping, and Channels' dispatch loop waited for it forever, keeping
    the closed socket's consumer (one or two per 1 000-client wave of bench/chat_load.py)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    layer_receive = layer.receive
    lost: list[str] = []

    async def receive_losing_one_cancellation(channel: str) -> dict[str, Any]:
        while True:
            try:
                return await layer_receive(channel)
            except asyncio.CancelledError:
                if lost:
                    raise
                lost.append(channel)

    monkeypatch.setattr(layer, "receive", receive_losing_one_cancellation)
    communicator = await open_socket(f"/ws/chat/{conversation.pk}/", student)
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    # Not communicator.wait(): it would cancel the consumer again itself.
    done, _pending = await asyncio.wait({communicator.future}, timeout=2)
    communicator.stop(exceptions=False)
    assert lost  # the receive did lose a cancellation
    assert communicator.future in done


# --- the Redis channel layer ----------------------------------------------------------------------


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
            "BACKEND": "config.channel_layer.RedisChannelLayer",
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


async def test_sockets_that_left_leave_no_queue_behind_on_the_redis_layer(
    redis_url: str,
    redis_prefix: str,
    settings: Any,
    conversation_factory: Any,
    student: User,
    host: User,
) -> None:
    """channels_redis keeps a local queue per channel and does not drop the queue of a reader
    that left mid-read (channels_redis#384); a server would grow with every socket it had."""
    from channels.layers import channel_layers

    conversation = await database_sync_to_async(conversation_factory)(student, host)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": redis_prefix},
        }
    }
    channel_layers.backends.clear()
    layer = channel_layers["default"]
    for round_ in range(2):
        sockets = [
            await open_socket(f"/ws/chat/{conversation.pk}/", user) for user in (student, host) * 2
        ]
        await sockets[0].send_json_to({"type": "message", "body": f"round {round_}"})
        for communicator in sockets:
            await next_of_type(communicator, "message")
        for communicator in sockets:
            await communicator.disconnect()
    await asyncio.sleep(0.2)
    assert dict(layer.receive_buffer) == {}
    assert layer.open_channels == set()  # each consumer closed its channel as it ended
    await layer.flush()
    await layer.close_pools()


async def test_an_event_for_a_closed_channel_leaves_no_queue_on_the_redis_layer(
    redis_url: str, redis_prefix: str
) -> None:
    """An event already on its way when its socket closed reaches the process after the
    socket's queue was removed; channels_redis would make a new queue for it that nobody reads
    or removes, one per reconnect for the life of the server (channels_redis#384)."""
    from config.channel_layer import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[redis_url], prefix=redis_prefix)
    try:
        closed = await layer.new_channel()
        layer.channel_closed(closed)
        await layer.send(closed, {"type": "chat.message", "late": True})
        live = await layer.new_channel()
        await layer.send(live, {"type": "chat.message", "late": False})
        # One Redis list carries every channel of the process: the closed channel's event is
        # read first, by the live channel's receive.
        assert await asyncio.wait_for(layer.receive(live), 3) == {
            "type": "chat.message",
            "late": False,
        }
        assert closed not in layer.receive_buffer
        assert layer.open_channels == {live}
    finally:
        await layer.flush()
        await layer.close_pools()
