"""The health check of psycopg's connection pool, run only on a connection that has sat idle.

Django's own check (CONN_HEALTH_CHECKS with the pool) sends an empty query every time a
connection is handed out: one more round trip on every request that touches the database, a
third of the trips of a list read. A connection handed out moments ago was working moments ago;
the failures the check exists for (a restarted PostgreSQL, a firewall or ``idle_session_timeout``
closing a quiet connection) happen to connections that have sat in the pool. So, as PgBouncer
does with ``server_check_delay``, a connection used within the last ``after`` seconds is handed
out unchecked. The price: a server restarted during traffic can fail one request per connection
that was in use just before it, as the queries running at that moment fail anyway.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import Any

from psycopg_pool import ConnectionPool


class CheckAfterIdle:
    """Run as a pooled connection is handed out (config.postgres): probe it (one empty query)
    when it was last handed out ``after`` seconds ago or more, or never. A failed probe raises;
    the backend then hands the connection back, the pool discards it, and the next one is
    checked in turn."""

    def __init__(
        self,
        after: float,
        *,
        probe: Callable[[Any], None] = ConnectionPool.check_connection,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if after < 0:
            raise ValueError(f"the idle time before a check cannot be negative, got {after}")
        self.after = after
        self._probe = probe
        self._clock = clock
        # Keyed by the connection itself, so a connection the pool closes drops out.
        self._handed_out_at: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()

    def __call__(self, conn: Any) -> None:
        now = self._clock()
        last = self._handed_out_at.get(conn)
        if last is None or now - last >= self.after:
            self._probe(conn)
        self._handed_out_at[conn] = now

    def __repr__(self) -> str:
        return f"CheckAfterIdle(after={self.after})"
