"""The browser tests' in-memory channel layer: an event sent from another thread's event loop
reaches a consumer waiting on the server's loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from tests.e2e.channel_layer import ServerLoopChannelLayer


class LoopInAThread:
    """Stands for the test server: an event loop running in a thread of its own."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, call: Any) -> Future[Any]:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(call, self.loop)

    def stop(self) -> None:
        loop, self.loop = self.loop, None
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=5)
        loop.close()


@pytest.fixture
def server() -> Iterator[LoopInAThread]:
    server = LoopInAThread()
    yield server
    server.stop()


def test_a_group_send_from_another_thread_reaches_a_receiver_on_the_server_loop(
    server: LoopInAThread,
) -> None:
    layer = ServerLoopChannelLayer(server=server)
    channel = server.run(layer.new_channel()).result(timeout=5)
    server.run(layer.group_add("conversation-1", channel)).result(timeout=5)
    received = server.run(layer.receive(channel))

    # As a service called from the test's thread sends on commit: from a loop of its own.
    asyncio.run(layer.group_send("conversation-1", {"type": "chat.message", "body": "hello"}))

    assert received.result(timeout=5) == {"type": "chat.message", "body": "hello"}


def test_while_the_server_is_stopped_a_send_is_kept_for_no_one_and_does_not_fail(
    server: LoopInAThread,
) -> None:
    layer = ServerLoopChannelLayer(server=server)
    server.stop()
    asyncio.run(layer.group_send("conversation-1", {"type": "chat.message"}))
    asyncio.run(layer.send("specific.a!b", {"type": "chat.message"}))
