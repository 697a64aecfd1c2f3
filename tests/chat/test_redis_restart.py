"""Redis killed (SIGKILL) and restarted in the middle of a chat: after the clients reconnect
and resume, no message is lost and none is duplicated.

Two real ASGI servers (daphne and uvicorn) on the test database and on a redis-server of the
test's own (never the machine's shared Redis, which other tests use). Ten pairs chat with each
member on a different server; ``bench/chaos_redis.py`` runs the same scenario at scale and
prints the figures.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.chaos_redis import Scenario, chat_through_restart
from bench.chaos_services import (
    REDIS_SERVER,
    PrivateRedis,
    server_log_summary,
    servers_running,
)
from bench.chat_setup import pairs_make
from tests.conftest import need_service, running_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
]

PAIRS = 10


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of this test's own, on a free port, without persistence."""
    need_service("the redis-server binary", os.access(REDIS_SERVER, os.X_OK))
    redis = PrivateRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def database_url(postgres: None) -> str:
    """The test database, for the server processes."""
    return running_database_url()


@pytest.fixture
def log_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="engawa-redis-restart-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_no_message_is_lost_or_doubled_when_redis_restarts_mid_chat(
    private_redis: PrivateRedis, database_url: str, log_dir: Path
) -> None:
    from channels.db import database_sync_to_async

    pairs = await database_sync_to_async(pairs_make)(PAIRS, "redis-restart")
    scenario = Scenario(rate=2.0, before=3.0, outage=1.5, after=4.0, settle=20.0, pairs=pairs)
    with servers_running(
        ["daphne", "uvicorn"], database_url, private_redis.url, log_dir
    ) as servers:
        figures = await chat_through_restart(private_redis, [s.port for s in servers], scenario)
        logs = [server_log_summary(s) for s in servers]
    report = f"figures: {figures}\nserver logs: {logs}"

    # The outage really happened and hit the chat: sockets went down and came back.
    assert figures["redis_down_s"] >= scenario.outage, report
    assert figures["sockets_closed_by_the_kill"] > 0, report
    assert figures["reconnects"] >= figures["sockets_closed_by_the_kill"], report
    assert figures["messages_written"] >= PAIRS * 2 * 5, report
    # Every message written was stored once and reached both members exactly once.
    assert figures["never_stored"] == 0, report
    assert figures["messages_stored"] == figures["messages_written"], report
    assert figures["lost"] == 0, report
    assert figures["duplicated_messages"] == 0, report
    assert figures["duplicate_frames"] == 0, report
    assert figures["full_recovery_after_restart_s"] is not None, report
