"""The production channel layer: channels_redis's, minus its growth with every closed socket.

channels_redis pulls the events of all of a process's sockets from one Redis list and sorts them
into a local queue per channel, created on demand. An event that arrives after its socket has
closed (a broadcast already on its way, a group not yet left) creates a queue that nobody reads
or removes (channels_redis#384). In a tracemalloc run of bench/chat_load.py at 1 000 clients, 837
of them, with their events, outlived the clients in a server process: memory that grows with
every reconnect for as long as the process runs. (The consumer used to pop its own queue as it
ended; the late events came after.) Here the layer knows which of its channels are open,
and an event for one that is not is dropped: what it carried is in the database for the next
socket's ``resume``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from channels_redis.core import BoundedQueue
from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer


class _OpenChannelQueues(dict[str, BoundedQueue]):
    """The layer's queues by channel, kept only for open channels."""

    def __init__(self, open_channels: set[str], make_queue: Callable[[], BoundedQueue]) -> None:
        super().__init__()
        self.open_channels = open_channels
        self.make_queue = make_queue

    def __missing__(self, channel: str) -> BoundedQueue:
        queue = self.make_queue()
        if channel in self.open_channels:
            self[channel] = queue
        return queue  # a closed channel's event goes into a queue that is not kept


class RedisChannelLayer(ChannelsRedisLayer):  # type: ignore[misc]  # channels_redis ships no types
    """A channel is open from ``new_channel`` (or its first ``receive``) until
    ``channel_closed``, which ``ClosesChannelMixin`` calls as each consumer ends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_channels: set[str] = set()
        self.receive_buffer = _OpenChannelQueues(
            self.open_channels, functools.partial(BoundedQueue, self.capacity)
        )

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
        """Forget ``channel`` and whatever is still queued for it."""
        self.open_channels.discard(channel)
        self.receive_buffer.pop(channel, None)


class ClosesChannelMixin:
    """For consumers: tell the layer when the consumer's channel is closed for good."""

    channel_layer: Any
    channel_name: str

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)  # type: ignore[misc]  # a mixin for consumers
        finally:
            closed = getattr(getattr(self, "channel_layer", None), "channel_closed", None)
            if closed is not None and getattr(self, "channel_name", None):
                closed(self.channel_name)
