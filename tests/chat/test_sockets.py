"""What both chat sockets share: forced closes, and ending cleanly whatever happened."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.signals import user_logged_out
from django.test import RequestFactory

from accounts.models import User
from chat.models import Conversation
from tests.chat.conftest import open_socket
from tests.chat.socket_helpers import chat_socket, expect_close, next_of_type

pytestmark = pytest.mark.django_db(transaction=True)


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


async def test_sockets_that_left_leave_no_queue_behind_on_the_redis_layer(
    redis_url: str, settings: Any, conversation_factory: Any, student: User, host: User
) -> None:
    """channels_redis keeps a local queue per channel and does not drop the queue of a reader
    that left mid-read (channels_redis#384); a server would grow with every socket it had."""
    from channels.layers import channel_layers

    conversation = await database_sync_to_async(conversation_factory)(student, host)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "chat.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"test-buffers-{conversation.pk}"},
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


async def test_frames_and_events_do_not_queue_on_channels_sync_thread(
    conversation: Conversation, student: User, host: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Channels' per-event connection sweep runs on one thread for the whole process; the chat
    sockets' queries close their own connections instead."""
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
