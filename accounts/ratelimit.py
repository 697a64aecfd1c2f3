"""Fixed-window counters shared by every server process (the chat's pace, the public forms'):
one atomic round trip to Redis, or the local cache in the embedded mode."""

from __future__ import annotations

import logging
from functools import cache as memoize

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.core.cache import cache

from accounts.per_loop import PerLoop

logger = logging.getLogger(__name__)


@memoize
def _redis() -> redis.Redis | None:
    url = settings.REDIS_URL
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None


def window_hits(key: str, window: int) -> int:
    """Count one hit of ``key``, whose window opens at its first hit and lasts ``window``
    seconds; returns the hits so far in that window, this one included."""
    key = f"limit:{key}"
    client = _redis()
    if client is None:
        return _local_hits(key, window)
    pipe = client.pipeline(transaction=True)
    _count(pipe, key, window)
    try:
        _opened, count = pipe.execute()
    except redis.RedisError:
        return _uncounted(key)
    return int(count)


async def window_hits_async(key: str, window: int) -> int:
    """``window_hits`` from an event loop, on that loop's own connection to Redis."""
    key = f"limit:{key}"
    if _redis() is None:
        return _local_hits(key, window)  # the process's own memory: nothing to wait for
    pipe = _async_redis.get().pipeline(transaction=True)
    _count(pipe, key, window)
    try:
        _opened, count = await pipe.execute()
    except redis.RedisError:
        return _uncounted(key)
    return int(count)


_async_redis: PerLoop[aioredis.Redis] = PerLoop(
    lambda: aioredis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2),
    lambda client: client.aclose(),
)


def _count(pipe: redis.client.Pipeline | aioredis.client.Pipeline, key: str, window: int) -> None:
    # Under the cache's KEY_PREFIX, as its keys are: apart from another deployment's (or
    # another test worker's) on the same Redis database.
    key = cache.make_key(key)
    pipe.set(key, 0, ex=window, nx=True)
    pipe.incr(key)


def _local_hits(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: the first hit of a new window
        cache.set(key, 1, timeout=window)
        return 1


def _uncounted(key: str) -> int:
    # Redis away: the hit goes through (and is logged) rather than failing the request;
    # a limit must not turn an outage of its counter into errors for everyone.
    logger.warning("limit %s not counted: Redis is unreachable", key, exc_info=True)
    return 1
