"""The production shape, end to end: a real Celery worker and beat on Redis expire a proposal
past its deadline and deliver its e-mails, in each recipient's language, to a real SMTP server.

Runs in CI (PostgreSQL and Redis present); on a laptop without them the fixtures skip it."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from matching.models import Delivery, Proposal
from matching.services import proposals as services
from tests import factories
from tests.conftest import running_database_url
from tests.matching.flow.conftest import draft_proposal, make_host, make_student

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 60


@pytest.fixture
def worker_env() -> dict[str, str]:
    """More environment for the worker (a test module overrides this fixture)."""
    return {}


@pytest.fixture
def worker(
    postgres: None, redis_url: str, smtp_server: Any, tmp_path: Path, worker_env: dict[str, str]
) -> Iterator[tuple[Any, subprocess.Popen[bytes]]]:
    """``celery worker --beat`` on its own queue, on the test database, e-mailing the test's
    SMTP server, with the expiry running every two seconds."""
    host, port, sink = smtp_server
    queue = f"engawa-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": running_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"smtp://{host}:{port}",
        "ENGAWA_EXPIRE_EVERY_SECONDS": "2",
        "ENGAWA_REMIND_EVERY_SECONDS": "2",
        "ENGAWA_PURGE_EVERY_SECONDS": "3600",
        "CONN_MAX_AGE": "0",
        **worker_env,
    }
    celery = Path(sys.executable).with_name("celery")
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            str(celery),
            "-A",
            "config",
            "worker",
            "--beat",
            "--pool=solo",
            "-c",
            "1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "-s",
            str(tmp_path / "beat-schedule"),
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield sink, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
        import redis

        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}")
        client.close()


def test_worker_and_beat_expire_a_proposal_and_e_mail_both_languages(
    worker: tuple[Any, subprocess.Popen[bytes]], coordinator: User, tmp_path: Path
) -> None:
    sink, process = worker
    rnd = factories.RoundFactory()
    student = make_student(language="ja")
    host = make_host(language="en")
    draft = draft_proposal(rnd=rnd, student=student, host=host)
    services.round_publish(round_id=rnd.pk, by=coordinator)
    Proposal.objects.filter(pk=draft.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))

    deadline = time.monotonic() + TIMEOUT
    expired_mail: list[Any] = []
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        expired_mail = list(sink.messages)
        status = Proposal.objects.get(pk=draft.pk).status
        sent = Delivery.objects.filter(proposal_id=draft.pk, kind="expired", sent_at__isnull=False)
        if status == "expired" and sent.count() == 2 and len(sink.messages) >= 2:
            break
        time.sleep(0.5)
    else:
        row = Proposal.objects.filter(pk=draft.pk).values("status", "deadline").first()
        deliveries = list(Delivery.objects.values_list("kind", "user_id", "sent_at"))
        pytest.fail(
            f"the worker did not expire and e-mail in time ({row}, now {timezone.now()}, "
            f"{len(sink.messages)} messages, deliveries {deliveries}):\n"
            + (tmp_path / "worker.log").read_text()[:6000]
        )
    by_recipient = {str(m["To"]): m for m in expired_mail}
    japanese, english = by_recipient[student.email], by_recipient[host.email]
    assert str(japanese["Subject"]).strip().startswith("ご提案の期限が切れました")
    assert "期限切れ" in japanese.get_body(preferencelist=("plain",)).get_content()
    assert str(english["Subject"]).strip().startswith("Proposal expired")
    assert "expired" in english.get_body(preferencelist=("html",)).get_content()
    assert len(sink.messages) == 2
    proposal = Proposal.objects.get(pk=draft.pk)
    assert proposal.status == "expired"
    # Beat keeps running the expiry: nothing more is sent for the same event.
    time.sleep(5)
    assert len(sink.messages) == 2
