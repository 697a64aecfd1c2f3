"""ORM calls from async code (the WebSocket consumers and their auth middleware).

asgiref's default puts every such call of a process on one thread, so one slow query holds up
every socket. These run on a bounded pool instead: sockets query concurrently without a
connection per socket. SQLite takes one writer at a time, so there it is one thread."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

from channels.consumer import get_handler_name
from channels.db import DatabaseSyncToAsync
from django.conf import settings

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None


def db_pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        workers = 1 if sqlite else int(settings.WEBSOCKET_DB_THREADS)
        _executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ws-db")
    return _executor


async def in_db_pool(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` on the pool, with Django's stale-connection handling around
    it (DatabaseSyncToAsync closes connections that are broken or past CONN_MAX_AGE)."""
    runner = DatabaseSyncToAsync(func, thread_sensitive=False, executor=db_pool())
    return cast(T, await runner(*args, **kwargs))


class PooledDatabaseConsumerMixin:
    """For consumers that reach the database only through ``in_db_pool``: Channels runs
    close_old_connections on its one sync thread before every frame and event, which queues
    all sockets of the process behind each other; the pool's threads do that themselves."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


def db_pool_close_connections() -> None:
    """Close the connection each pool thread holds (tests: PostgreSQL cannot drop a database
    while one is open). Each thread runs exactly one closing task: they wait for each other."""
    import threading

    from django.db import connections

    executor = _executor
    threads = len(getattr(executor, "_threads", ()))
    if executor is None or not threads:
        return
    everyone = threading.Barrier(threads)

    def close() -> None:
        connections.close_all()
        everyone.wait(timeout=5)

    for done in [executor.submit(close) for _ in range(threads)]:
        done.result(timeout=10)
