"""The production backends for real: the Redis channel layer and a Celery worker on Redis.

Both skip on a laptop without Redis/PostgreSQL (the conftest fixtures) and fail in CI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from channels_redis.core import RedisChannelLayer
from django.utils import timezone

from accounts import services
from accounts.models import User, WsTicket
from accounts.tasks import ws_tickets_purge
from config import settings as engawa_settings
from config.celery import app as celery_app
from tests.conftest import running_database_url

BASE_DIR = Path(__file__).resolve().parents[2]


async def redis_round_trip(url: str, prefix: str) -> dict[str, Any]:
    layer = RedisChannelLayer(hosts=[url], prefix=prefix, expiry=10)
    group = f"test-{uuid.uuid4().hex}"
    channel = await layer.new_channel()
    try:
        await layer.group_add(group, channel)
        await layer.group_send(group, {"type": "chat.message", "body": "こんにちは", "n": 1})
        return dict(await asyncio.wait_for(layer.receive(channel), timeout=10))
    finally:
        await layer.group_discard(group, channel)
        await layer.flush()
        await layer.close_pools()


def test_a_message_round_trips_through_the_redis_channel_layer(
    redis_url: str, redis_prefix: str
) -> None:
    # Its own thread and event loop: independent of any loop another test left running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        received = pool.submit(asyncio.run, redis_round_trip(redis_url, redis_prefix)).result(
            timeout=30
        )
    assert received == {"type": "chat.message", "body": "こんにちは", "n": 1}


async def concurrent_group_sends(config: dict[str, Any], sends: int) -> list[BaseException]:
    layer = RedisChannelLayer(**config)
    group = f"test-{uuid.uuid4().hex}"
    channel = await layer.new_channel()
    try:
        await layer.group_add(group, channel)
        done = await asyncio.gather(
            *(layer.group_send(group, {"type": "chat.typing", "n": n}) for n in range(sends)),
            return_exceptions=True,
        )
        return [one for one in done if isinstance(one, BaseException)]
    finally:
        await layer.flush()
        await layer.close_pools()


def test_a_burst_of_group_sends_in_one_process_is_not_refused(
    redis_url: str, redis_prefix: str
) -> None:
    """redis-py caps a pool at 100 connections unless told otherwise, and each group_send in
    flight holds one: a server whose Redis answers slowly for a moment had sends refused
    ("Too many connections") and chat sockets closed. The layer's pool is sized for bursts."""
    # As configured, not as the tests override it (the in-memory layer).
    config = engawa_settings.CHANNEL_LAYERS["default"]["CONFIG"]  # REDIS_URL is set
    hosts = [{**host, "address": redis_url} for host in config["hosts"]]
    with ThreadPoolExecutor(max_workers=1) as pool:
        errors = pool.submit(
            asyncio.run,
            concurrent_group_sends({**config, "hosts": hosts, "prefix": redis_prefix}, 300),
        ).result(timeout=60)
    assert errors == []


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_purge_task_from_redis(
    postgres: None, redis_url: str, student: User
) -> None:
    # Two expired tickets and one live one, committed so that the worker sees them.
    for _ in range(2):
        services.ws_ticket_issue(user=student)
    WsTicket.objects.update(expires_at=timezone.now() - timedelta(minutes=5))
    live = services.ws_ticket_issue(user=student)
    assert WsTicket.objects.count() == 3

    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": running_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(worker.stdout or ()), daemon=True)
    reader.start()
    try:
        # Start-up (Django, every app, the broker connection) is not part of the 30 s budget:
        # on a loaded CI machine it alone can take that long.
        started = time.monotonic() + 180
        while not any(" ready." in line for line in lines):
            assert worker.poll() is None, "".join(lines)
            assert time.monotonic() < started, "the worker did not start:\n" + "".join(lines)
            time.sleep(0.25)
        # The suite runs tasks eagerly; this one must go through the broker.
        celery_app.conf.task_always_eager = False
        with celery_app.connection_for_write(redis_url) as conn:
            ws_tickets_purge.apply_async(queue=queue, connection=conn)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and WsTicket.objects.count() != 1:
            assert worker.poll() is None, "".join(lines)
            time.sleep(0.25)
        assert WsTicket.objects.count() == 1, "the worker did not purge expired tickets in 30 s"
        assert services.ws_ticket_redeem(ticket=live) == student
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        reader.join(timeout=10)
    output = "".join(lines)
    assert "Task accounts.ws_tickets_purge[" in output
    assert "succeeded" in output
