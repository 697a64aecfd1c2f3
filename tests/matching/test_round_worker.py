"""A round started through the API and run by a real Celery worker process on Redis.

The production shape of DESIGN.md: the web process only enqueues; a separate worker, on the
same PostgreSQL, runs the round. The test commits its rows (``transaction=True``) so that the
worker's own connection sees them, and sends the task to a queue of its own so that no stale
task from another run is picked up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Application, Program, Round
from tests import factories
from tests.conftest import running_database_url
from tests.matching.conftest import future_days

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

WORKER_START_TIMEOUT = 30.0
ROUND_TIMEOUT = 60.0


@pytest.fixture
def celery_queue(redis_url: str, settings: Any) -> Iterator[str]:
    """This process's Celery sends for real, to a Redis queue used by this test only."""
    from config.celery import app

    queue = f"engawa-test-{uuid.uuid4().hex}"
    saved = {
        key: app.conf[key] for key in ("broker_url", "task_default_queue", "task_always_eager")
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = redis_url
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    _forget_connections(app)
    try:
        yield queue
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _forget_connections(app)


def _forget_connections(app: Any) -> None:
    """Make the app build its queues, router and broker pools afresh from ``app.conf`` (they
    are cached on first use), closing the pools of the previous broker."""
    app.__dict__.pop("amqp", None)
    app._pool = None
    kombu.pools.reset()


@pytest.fixture
def worker(celery_queue: str, redis_url: str, postgres: None) -> Iterator[Path]:
    """A ``celery worker`` subprocess on the test database, consuming ``celery_queue``; always
    terminated. Yields the path of its log, for the failure message."""
    log = Path(tempfile.mkstemp(prefix="engawa-worker-", suffix=".log")[1])
    env = {
        **os.environ,
        "DATABASE_URL": running_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "ENGAWA_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-c",
                "1",
                "-Q",
                celery_queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                "-n",
                f"{celery_queue}@%h",
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while "ready." not in log.read_text(errors="replace"):
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited early:\n{log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.unlink(missing_ok=True)


def test_a_real_worker_runs_a_round_started_through_the_api(
    worker: Path,
    coordinator: User,
    client_for: Callable[[User | None], APIClient],
) -> None:
    program = factories.ProgramFactory(created_by=coordinator, dates=future_days(30, 37))
    students: list[Application] = [factories.ApplicationFactory(program=program) for _ in range(4)]
    factories.HostApplicationFactory(program=program, seats=2)
    client = client_for(coordinator)

    response = client.post(f"/api/programs/{program.pk}/rounds/", {}, format="json")
    assert response.status_code == 202, response.data
    assert response.data["status"] == "queued"  # nothing ran in this process
    round_id = response.data["id"]

    seen: list[str] = []
    deadline = time.monotonic() + ROUND_TIMEOUT
    while True:
        detail = client.get(f"/api/rounds/{round_id}/")
        assert detail.status_code == 200
        status = detail.data["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in (Round.Status.DRAFT, Round.Status.FAILED):
            break
        if time.monotonic() > deadline:
            pytest.fail(
                f"the round stayed {status} for {ROUND_TIMEOUT:.0f} s; worker log:\n"
                + worker.read_text(errors="replace")
            )
        time.sleep(0.25)
    assert status == Round.Status.DRAFT, detail.data["error"] + worker.read_text(errors="replace")
    assert len(detail.data["proposals"]) == 4
    placed = {p["student_application"] for p in detail.data["proposals"]}
    assert placed == {s.pk for s in students}
    assert detail.data["stats"]["matched"] == 4
    assert set(seen) <= {"queued", "running", "draft"}
    assert "matching.round_run" in worker.read_text(errors="replace")
    assert Program.objects.filter(pk=program.pk).exists()
