"""The browser tests' channel layer when there is no Redis: the in-memory one, worked from the
test server's event loop.

The server's consumers wait on asyncio queues in that loop, and the test's own thread sends
too (services called through ``off_loop`` send their events on commit, from an event loop of
their own). asyncio's queues are not thread-safe, so those calls are handed over to the
server's loop. With REDIS_URL set, the tests use the production layer on Redis instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Protocol

from channels.layers import InMemoryChannelLayer


class Server(Protocol):
    loop: asyncio.AbstractEventLoop | None


class ServerLoopChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    """``server`` is the test server whose loop (``server.loop``, None while it is stopped)
    owns the queues."""

    def __init__(self, server: Server, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.server = server

    async def _on_server_loop(self, call: Coroutine[Any, Any, Any]) -> Any:
        loop = self.server.loop
        if loop is None or not loop.is_running() or loop is asyncio.get_running_loop():
            return await call
        handed_over = asyncio.run_coroutine_threadsafe(call, loop)
        return await asyncio.wait_for(asyncio.wrap_future(handed_over), timeout=10)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        await self._on_server_loop(super().send(channel, message))

    async def group_add(self, group: str, channel: str) -> None:
        await self._on_server_loop(super().group_add(group, channel))

    async def group_discard(self, group: str, channel: str) -> None:
        await self._on_server_loop(super().group_discard(group, channel))

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self._on_server_loop(super().group_send(group, message))
