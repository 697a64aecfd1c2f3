"""Row locks of round runs on PostgreSQL: a run in progress is never run twice."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from accounts.models import User
from matching.models import Application, Program, Proposal, Round
from matching.services.rounds import round_run
from tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_a_redelivered_task_skips_a_round_another_worker_is_running(
    postgres: None,
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
) -> None:
    make_student(program)
    make_host(program)
    rnd = factories.RoundFactory(
        program=program, status=Round.Status.RUNNING, created_by=coordinator
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        # Holds the round's row lock as a run in progress does while it solves.
        try:
            with transaction.atomic():
                Round.objects.select_for_update().get(pk=rnd.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert round_run(round_id=rnd.pk) is None
        rnd.refresh_from_db()
        assert rnd.status == Round.Status.RUNNING
        assert not Proposal.objects.exists()
    finally:
        release.set()
        thread.join(10)
    # Once nobody holds it, a round left running by a dead worker is run again.
    assert round_run(round_id=rnd.pk) is not None
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.DRAFT
    assert Proposal.objects.filter(round=rnd).count() == 1


def test_two_concurrent_runs_write_one_draft(
    postgres: None,
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
) -> None:
    for _ in range(5):
        make_student(program)
    make_host(program, seats=3)
    rnd = factories.RoundFactory(
        program=program, status=Round.Status.QUEUED, created_by=coordinator
    )
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait(10)
            results.append(round_run(round_id=rnd.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.DRAFT
    assert len(results) == 2
    assert sum(r is not None for r in results) == 1
    assert Proposal.objects.filter(round=rnd).count() == 5
