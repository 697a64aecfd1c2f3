"""Round services on the database: validation, the run's atomicity, idempotence and the
task (who may be proposed to whom: test_rounds_pool.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from matching.models import Application, HostDay, Program, Proposal, Round, Unplaced
from matching.services import rounds as round_services
from matching.services.rounds import round_run, round_start
from matching.signals import live_event
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API_STATS = {
    "students",
    "hosts",
    "slots",
    "matched",
    "unmatched",
    "total_score",
    "mean_score",
    "min_score",
    "solve_ms",
}

MakeApp = Callable[..., Application]


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    """The live events the services send (``matching.signals.live_event``), recorded."""
    sent: list[dict[str, Any]] = []

    def record(sender: Any, *, user_ids: Any, event: dict[str, Any], **kwargs: Any) -> None:
        sent.append({"user_ids": list(user_ids), **event})

    live_event.connect(record, dispatch_uid="tests.rounds.events")
    yield sent
    live_event.disconnect(dispatch_uid="tests.rounds.events")


class TestStartValidation:
    def test_unknown_criterion_is_named_and_nothing_stored(
        self, program: Program, coordinator: User
    ) -> None:
        # The weights' range and the pairs' shape are the serializer's and the form's.
        with pytest.raises(ValidationError) as exc:
            round_start(program=program, by=coordinator, weights={"beauty": 1})
        assert "'beauty'" in exc.value.message_dict["weights"][0]
        assert not Round.objects.exists()

    def test_pairs_must_be_this_programmes_active_applications_in_the_right_roles(
        self, program: Program, coordinator: User, make_student: MakeApp, make_host: MakeApp
    ) -> None:
        student, host = make_student(program), make_host(program)
        other = factories.ProgramFactory(created_by=coordinator)
        foreign = make_student(other)
        withdrawn = make_student(program)
        Application.objects.filter(pk=withdrawn.pk).update(status=Application.Status.WITHDRAWN)
        cases = [
            ("pins", [[host.pk, student.pk]]),  # roles swapped
            ("pins", [[foreign.pk, host.pk]]),  # another programme
            ("forbids", [[withdrawn.pk, host.pk]]),
            ("forbids", [[student.pk, 999999]]),
        ]
        for field, pairs in cases:
            with pytest.raises(ValidationError) as exc:
                round_start(program=program, by=coordinator, **{field: pairs})
            assert list(exc.value.message_dict) == [field], (field, pairs)
        assert not Round.objects.exists()

    def test_a_pin_that_is_also_forbidden_is_refused(
        self, program: Program, coordinator: User, make_student: MakeApp, make_host: MakeApp
    ) -> None:
        student, host = make_student(program), make_host(program)
        with pytest.raises(ValidationError) as exc:
            round_start(
                program=program,
                by=coordinator,
                pins=[[student.pk, host.pk]],
                forbids=[[student.pk, host.pk]],
            )
        assert "forbidden" in exc.value.message_dict["pins"][0]

    def test_a_student_pinned_twice_is_refused(
        self, program: Program, coordinator: User, make_student: MakeApp, make_host: MakeApp
    ) -> None:
        student = make_student(program)
        hosts = [make_host(program), make_host(program)]
        with pytest.raises(ValidationError) as exc:
            round_start(program=program, by=coordinator, pins=[[student.pk, h.pk] for h in hosts])
        assert "pins" in exc.value.message_dict

    def test_a_pinned_student_must_be_free(
        self, program: Program, coordinator: User, make_host: MakeApp
    ) -> None:
        live = factories.ProposalFactory(
            round=factories.RoundFactory(program=program), status=Proposal.Status.PROPOSED
        )
        with pytest.raises(ValidationError) as exc:
            round_start(
                program=program,
                by=coordinator,
                pins=[[live.student_application_id, make_host(program).pk]],
            )
        assert "live proposal" in exc.value.message_dict["pins"][0]

    def test_closed_programme_and_non_coordinator(
        self, program: Program, coordinator: User, student: User
    ) -> None:
        with pytest.raises(PermissionDenied):
            round_start(program=program, by=student)
        Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
        with pytest.raises(ValidationError) as exc:
            round_start(program=program, by=coordinator)
        assert "program" in exc.value.message_dict


class TestStart:
    def test_queues_a_numbered_round_and_enqueues_on_commit(
        self,
        program: Program,
        coordinator: User,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
        events: list[dict[str, Any]],
    ) -> None:
        from matching.tasks import rounds as tasks

        enqueued: list[int] = []
        monkeypatch.setattr(tasks.round_run, "delay", enqueued.append)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            first = round_start(program=program, by=coordinator, weights={"travel": 0})
            assert enqueued == []  # nothing leaves before the commit
        for callback in callbacks:
            callback()
        second = round_start(program=program, by=coordinator)
        assert (first.number, second.number) == (1, 2)
        assert first.status == Round.Status.QUEUED
        assert first.weights == {"travel": 0.0}
        assert enqueued == [first.pk]


class TestRun:
    def test_writes_a_draft_with_proposals_unplaced_and_stats(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
        events: list[dict[str, Any]],
    ) -> None:
        students = [make_student(program) for _ in range(3)]
        host = make_host(program, seats=1, dates=program.dates[:1])
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT, rnd.error
        assert rnd.finished_at is not None
        proposals = list(rnd.proposals.all())
        assert len(proposals) == 1
        proposal = proposals[0]
        assert proposal.status == Proposal.Status.DRAFT
        assert proposal.host_application_id == host.pk
        assert proposal.date.isoformat() == program.dates[0]
        assert proposal.breakdown
        assert proposal.score == pytest.approx(sum(proposal.breakdown.values()), abs=1e-6)
        unplaced = {u.application_id: u.reasons for u in rnd.unplaced.all()}
        assert set(unplaced) == {s.pk for s in students} - {proposal.student_application_id}
        assert all(reasons for reasons in unplaced.values())
        assert set(rnd.stats) >= API_STATS
        assert (rnd.stats["students"], rnd.stats["matched"], rnd.stats["unmatched"]) == (3, 1, 2)
        assert [e["status"] for e in events] == ["queued", "running", "draft"]
        assert {tuple(e["user_ids"]) for e in events} == {(coordinator.pk,)}
        # A draft takes no seats: publishing does.
        assert HostDay.objects.get(application=host, date=program.dates[0]).seats_taken == 0
        assert Application.objects.get(pk=students[0].pk).times_unplaced == 0

    def test_solver_error_leaves_nothing_and_marks_the_round_failed(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
        monkeypatch: pytest.MonkeyPatch,
        events: list[dict[str, Any]],
    ) -> None:
        make_student(program)
        make_host(program)

        def explode(problem: Any) -> Any:
            raise RuntimeError("the assignment blew up")

        monkeypatch.setattr(round_services, "solve", explode)
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.FAILED
        assert "RuntimeError" in rnd.error
        assert "the assignment blew up" in rnd.error
        assert not Proposal.objects.exists()
        assert not Unplaced.objects.exists()
        assert events[-1]["status"] == "failed"

    def test_failure_half_way_through_the_write_leaves_no_half_round(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for _ in range(3):
            make_student(program)
        make_host(program, seats=1)

        def broken(*args: Any, **kwargs: Any) -> Any:
            # By now the proposals are written in the same transaction.
            assert Proposal.objects.exists()
            raise RuntimeError("disk full")

        monkeypatch.setattr(Unplaced.objects, "bulk_create", broken)
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.FAILED
        assert "disk full" in rnd.error
        assert not Proposal.objects.exists()
        assert not Unplaced.objects.exists()
        assert rnd.stats == {}

    def test_redelivered_task_does_nothing(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        run_rounds: Callable[..., Round],
    ) -> None:
        make_student(program)
        make_host(program)
        rnd = run_rounds(program, coordinator)
        assert rnd.status == Round.Status.DRAFT
        before = list(rnd.proposals.values_list("id", flat=True))
        assert round_run(round_id=rnd.pk) is None
        assert list(rnd.proposals.values_list("id", flat=True)) == before
        Round.objects.filter(pk=rnd.pk).update(status=Round.Status.FAILED)
        assert round_run(round_id=rnd.pk) is None
        assert round_run(round_id=987654) is None

    def test_a_run_abandoned_by_a_dead_worker_is_run_again(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
    ) -> None:
        make_student(program)
        make_host(program)
        rnd = factories.RoundFactory(
            program=program, status=Round.Status.RUNNING, created_by=coordinator
        )
        assert round_run(round_id=rnd.pk) is not None
        rnd.refresh_from_db()
        assert rnd.status == Round.Status.DRAFT
        assert rnd.proposals.count() == 1


class TestTask:
    def test_task_is_named_acks_late_and_retries_only_database_outages(self) -> None:
        from django.db import OperationalError

        from matching.tasks.rounds import round_run as task

        assert task.name == "matching.round_run"
        assert task.acks_late is True
        assert tuple(task.autoretry_for) == (OperationalError,)

    def test_a_database_outage_is_left_for_the_retry(
        self,
        program: Program,
        coordinator: User,
        make_student: MakeApp,
        make_host: MakeApp,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from django.db import OperationalError

        make_student(program)
        make_host(program)
        rnd = factories.RoundFactory(
            program=program, status=Round.Status.QUEUED, created_by=coordinator
        )

        def outage(problem: Any) -> Any:
            raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(round_services, "solve", outage)
        with pytest.raises(OperationalError):
            round_run(round_id=rnd.pk)
        rnd.refresh_from_db()
        # Running and unlocked: the retried task takes it up again.
        assert rnd.status == Round.Status.RUNNING
        assert not Proposal.objects.exists()
        monkeypatch.undo()
        assert round_run(round_id=rnd.pk) is not None
        rnd.refresh_from_db()
        assert rnd.status == Round.Status.DRAFT

    def test_when_retries_run_out_the_round_says_so(
        self, program: Program, coordinator: User
    ) -> None:
        from django.db import OperationalError

        from matching.tasks.rounds import round_run as task

        rnd = factories.RoundFactory(
            program=program, status=Round.Status.RUNNING, created_by=coordinator
        )
        task.on_failure(OperationalError("database is down"), "task-id", (rnd.pk,), {}, None)
        rnd.refresh_from_db()
        assert rnd.status == Round.Status.FAILED
        assert "database is down" in rnd.error
        # A round that already ended keeps its status.
        draft = factories.RoundFactory(program=program, created_by=coordinator)
        task.on_failure(RuntimeError("late"), "task-id", (), {"round_id": draft.pk}, None)
        draft.refresh_from_db()
        assert draft.status == Round.Status.DRAFT
