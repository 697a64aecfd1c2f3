"""The production channel layer: channels_redis's, without a queue per closed channel.

channels_redis makes a local queue for every event it reads, even for a socket already closed,
and never removes it (channels_redis#384): a server grew with every reconnect."""

from __future__ import annotations

from typing import Any

from channels_redis.core import BoundedQueue
from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer


class _OpenChannelQueues(dict[str, BoundedQueue]):
    """The layer's queues by channel, kept only for open channels."""

    def __init__(self, layer: RedisChannelLayer) -> None:
        super().__init__()
        self.layer = layer

    def __missing__(self, channel: str) -> BoundedQueue:
        queue = BoundedQueue(self.layer.capacity)
        if channel in self.layer.open_channels:
            self[channel] = queue
        return queue  # a closed channel's event goes into a queue that is not kept


class RedisChannelLayer(ChannelsRedisLayer):  # type: ignore[misc]  # channels_redis ships no types
    """A channel is open from ``new_channel`` (or its first ``receive``) until
    ``channel_closed``; a late event for a closed one is dropped (the database has it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_channels: set[str] = set()
        self.receive_buffer = _OpenChannelQueues(self)

    async def new_channel(self, prefix: str = "specific") -> str:
        channel = str(await super().new_channel(prefix))
        self.open_channels.add(channel)
        return channel

    async def receive(self, channel: str) -> dict[str, Any]:
        if "!" in channel:
            self.open_channels.add(channel)
        message: dict[str, Any] = await super().receive(channel)
        return message

    def channel_closed(self, channel: str) -> None:
        self.open_channels.discard(channel)
        self.receive_buffer.pop(channel, None)


class ClosesChannelMixin:
    """For consumers: tell the layer (when it is this one) that the channel is closed."""

    channel_layer: Any
    channel_name: str

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)  # type: ignore[misc]  # a mixin for consumers
        finally:
            layer = getattr(self, "channel_layer", None)
            if isinstance(layer, RedisChannelLayer) and getattr(self, "channel_name", None):
                layer.channel_closed(self.channel_name)
