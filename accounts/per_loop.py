"""Clients of asyncio libraries, one for each running event loop: such a client (an async Redis,
an async PostgreSQL pool) belongs to the loop that made it, and is closed as that loop closes.
A server has one loop for its life; each async test, ``asyncio.run`` or ``async_to_sync`` has
its own."""

from __future__ import annotations

import asyncio
import logging
import types
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

T = TypeVar("T")

logger = logging.getLogger(__name__)


class PerLoop(Generic[T]):
    """``get()`` the running loop's ``T``, made by ``make`` on first use and closed by ``close``
    when the loop closes."""

    def __init__(self, make: Callable[[], T], close: Callable[[T], Awaitable[object]]) -> None:
        self._make, self._close = make, close
        self._made: WeakKeyDictionary[asyncio.AbstractEventLoop, T] = WeakKeyDictionary()

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        made = self._made.get(loop)
        if made is None:
            made = self._made[loop] = self._make()
            self._close_before(loop)
        return made

    def _close_before(self, loop: asyncio.AbstractEventLoop) -> None:
        # Whoever ends the loop calls close(); its connections would otherwise stay open
        # (channels_redis closes its own per-loop connections the same way).
        loop_close = loop.close

        def close(this: asyncio.AbstractEventLoop) -> None:
            made = self._made.pop(this, None)
            try:
                if made is not None and not this.is_running() and not this.is_closed():
                    this.run_until_complete(self._close(made))
            except Exception:
                # A client that fails to close must not keep its loop open.
                logger.warning("closing %r with its event loop failed", made, exc_info=True)
            this.close = loop_close  # type: ignore[method-assign]  # the loop's own again
            loop_close()

        loop.close = types.MethodType(close, loop)  # type: ignore[method-assign]  # see above
