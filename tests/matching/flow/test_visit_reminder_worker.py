"""The production shape: a real Celery worker with beat on Redis sends the day-before reminder
of a visit to both sides, each in their language, through real SMTP, exactly once however
often beat runs it.

Runs in CI (PostgreSQL and Redis present); on a laptop without them the fixtures skip it."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Station, User
from matching.models import Delivery, MeetingPoint, Proposal
from matching.services import proposals as services
from tests import factories
from tests.matching.flow.conftest import draft_proposal, make_host, make_student
from tests.matching.flow.test_beat_worker import TIMEOUT, worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

__all__ = ["worker"]  # the worker fixture, used by name


@pytest.fixture
def worker_env() -> dict[str, str]:
    # The reminder is due from midnight (Tokyo) the day before, so the test runs at any hour.
    return {"ENGAWA_VISIT_CUTOFF_HOUR": "0"}


def test_beat_reminds_both_sides_of_tomorrows_visit_once_in_their_language(
    worker: tuple[Any, subprocess.Popen[bytes]], coordinator: User, tmp_path: Path
) -> None:
    sink, process = worker
    rnd = factories.RoundFactory()
    student = make_student(language="en")
    host = make_host(language="ja")
    draft = draft_proposal(rnd=rnd, student=student, host=host)
    services.round_publish(round_id=rnd.pk, by=coordinator)
    for party in (student, host):
        services.proposal_accept(proposal_id=draft.pk, by=party)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    program = rnd.program
    program.dates = sorted({*program.dates, tomorrow.isoformat()})
    program.save(update_fields=["dates"])
    MeetingPoint.objects.create(
        program=program,
        date=tomorrow,
        time=dt.time(10, 30),
        station=Station.objects.get(slug="kichijoji"),
        place_ja="公園口改札",
        place_en="Park exit ticket gates",
    )
    # The confirmation's e-mails go first; the reminder is what comes after the move.
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and len(sink.messages) < 2:
        time.sleep(0.5)
    sink.messages.clear()
    Proposal.objects.filter(pk=draft.pk).update(date=tomorrow)

    reminders: list[Any] = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        reminders = [m for m in sink.messages if "10:30" in m.get_body(("plain",)).get_content()]
        sent = Delivery.objects.filter(kind="visit_reminder", sent_at__isnull=False).count()
        if sent == 2 and len(reminders) >= 2:
            break
        time.sleep(0.5)
    else:
        pytest.fail(
            f"no reminders in time ({len(sink.messages)} messages):\n"
            + (tmp_path / "worker.log").read_text()[:6000]
        )
    by_recipient = {str(m["To"]): m for m in reminders}
    english = by_recipient[student.email].get_body(("plain",)).get_content()
    japanese = by_recipient[host.email].get_body(("plain",)).get_content()
    assert str(by_recipient[student.email]["Subject"]).startswith("Tomorrow")
    assert "Park exit ticket gates" in english
    assert str(by_recipient[host.email]["Subject"]).startswith("明日")
    assert "公園口改札" in japanese
    # Beat keeps running the reminder every two seconds: nothing more is sent.
    time.sleep(6)
    assert len(reminders) == 2
    assert len(sink.messages) == 2
    assert Delivery.objects.filter(kind="visit_reminder").count() == 2
