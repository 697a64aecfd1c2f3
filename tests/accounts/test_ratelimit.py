"""accounts.ratelimit: the fixed-window counter behind the chat's and the forms' limits."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from django.core.cache import cache

from accounts import ratelimit
from tests.conftest import REDIS_NAMESPACE


@pytest.fixture
def on_redis(redis_url: str, settings: Any) -> Any:
    settings.REDIS_URL = redis_url
    ratelimit._redis.cache_clear()
    yield redis.Redis.from_url(redis_url)
    ratelimit._redis.cache_clear()


@pytest.fixture
def without_redis(settings: Any) -> Any:
    settings.REDIS_URL = ""
    ratelimit._redis.cache_clear()
    yield
    ratelimit._redis.cache_clear()


def test_on_redis_every_hit_counts_once_even_from_many_threads(on_redis: Any) -> None:
    key = f"test-{uuid.uuid4().hex}"
    with ThreadPoolExecutor(8) as pool:
        counts = sorted(pool.map(lambda _: ratelimit.window_hits(key, 60), range(200)))
    assert counts == list(range(1, 201))


def test_on_redis_the_window_has_its_expiry_from_the_first_hit(on_redis: Any) -> None:
    key = f"test-{uuid.uuid4().hex}"
    ratelimit.window_hits(key, 30)
    ttl = on_redis.ttl(cache.make_key(f"limit:{key}"))
    assert 0 < ttl <= 30
    ratelimit.window_hits(key, 30)
    # A later hit does not push the window's end out.
    assert on_redis.ttl(cache.make_key(f"limit:{key}")) <= ttl


def test_on_redis_a_new_window_starts_from_one(on_redis: Any) -> None:
    key = f"test-{uuid.uuid4().hex}"
    assert [ratelimit.window_hits(key, 30) for _ in range(3)] == [1, 2, 3]
    on_redis.delete(cache.make_key(f"limit:{key}"))  # the window ran out
    assert ratelimit.window_hits(key, 30) == 1


def test_on_redis_the_counters_carry_the_caches_key_prefix(on_redis: Any) -> None:
    """Deployments (and test workers) that share a Redis database count apart."""
    key = f"test-{uuid.uuid4().hex}"
    ratelimit.window_hits(key, 30)
    assert on_redis.keys(f"*limit:{key}") == [f"{REDIS_NAMESPACE}:1:limit:{key}".encode()]


@pytest.mark.usefixtures("without_redis")
def test_without_redis_the_local_cache_counts() -> None:
    key = f"test-{uuid.uuid4().hex}"
    assert [ratelimit.window_hits(key, 30) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.window_hits(f"{key}-other", 30) == 1


def test_an_unreachable_redis_lets_the_hit_through_and_logs_it(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    ratelimit._redis.cache_clear()
    try:
        assert [ratelimit.window_hits("outage", 30) for _ in range(3)] == [1, 1, 1]
    finally:
        ratelimit._redis.cache_clear()
    assert "not counted: Redis is unreachable" in caplog.text


async def test_from_an_event_loop_the_same_counter_counts(on_redis: Any) -> None:
    """The chat's socket counts on its loop's own connection; the count is the one every
    process shares, whichever way a hit came in."""
    key = f"test-{uuid.uuid4().hex}"
    assert ratelimit.window_hits(key, 30) == 1
    counts = await asyncio.gather(*(ratelimit.window_hits_async(key, 30) for _ in range(20)))
    assert sorted(counts) == list(range(2, 22))
    assert 0 < on_redis.ttl(cache.make_key(f"limit:{key}")) <= 30


@pytest.mark.usefixtures("without_redis")
async def test_from_an_event_loop_without_redis_the_local_cache_counts() -> None:
    key = f"test-{uuid.uuid4().hex}"
    assert [await ratelimit.window_hits_async(key, 30) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.window_hits(key, 30) == 4


async def test_from_an_event_loop_an_unreachable_redis_lets_the_hit_through(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    ratelimit._redis.cache_clear()
    try:
        assert [await ratelimit.window_hits_async("outage", 30) for _ in range(2)] == [1, 1]
    finally:
        ratelimit._redis.cache_clear()
    assert "not counted: Redis is unreachable" in caplog.text
