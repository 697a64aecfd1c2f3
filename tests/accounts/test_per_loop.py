"""accounts.per_loop: one asyncio client for each running event loop, closed as it closes."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync

from accounts.per_loop import PerLoop


class Client:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def test_each_loop_has_its_own_client_closed_as_the_loop_closes() -> None:
    per_loop = PerLoop(Client, Client.close)
    made: list[Client] = []

    async def use() -> None:
        client = per_loop.get()
        assert per_loop.get() is client  # one for the whole loop
        made.append(client)

    kept = asyncio.new_event_loop()
    kept.run_until_complete(use())
    asyncio.run(use())  # its tasks are cancelled first: a client must not need them to close
    async_to_sync(use)()
    assert len({id(client) for client in made}) == 3
    assert [client.closed for client in made] == [False, True, True]
    kept.close()
    assert made[0].closed
    assert kept.close.__func__ is type(kept).close  # type: ignore[attr-defined]  # its own again


def test_a_client_that_fails_to_close_does_not_keep_its_loop_open(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Stubborn(Client):
        async def close(self) -> None:
            raise ConnectionError("the server went away")

    per_loop = PerLoop(Stubborn, Stubborn.close)
    loop = asyncio.new_event_loop()

    async def use() -> None:
        per_loop.get()

    loop.run_until_complete(use())
    loop.close()
    assert loop.is_closed()
    assert "closing" in caplog.text and "the server went away" in caplog.text
