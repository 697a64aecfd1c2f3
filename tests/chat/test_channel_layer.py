"""The Redis channel layer keeps no queue for a closed channel (channels_redis#384)."""

from __future__ import annotations

import asyncio


async def test_an_event_for_a_closed_channel_leaves_no_queue_on_the_redis_layer(
    redis_url: str,
) -> None:
    """An event already on its way when its socket closed reaches the process after the
    socket's queue was removed; channels_redis would make a new queue for it that nobody reads
    or removes, one per reconnect for the life of the server (channels_redis#384)."""
    from chat.channel_layer import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[redis_url], prefix="test-closed-channel")
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
