"""Services of programmes and applications, on the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role, User
from accounts.reference_data import WEEKLY_SLOTS
from matching.models import Application, HostDay, Program
from matching.services.programs import (
    application_submit,
    application_withdraw,
    program_close,
    program_create,
)
from tests import factories
from tests.matching.conftest import future_dates, future_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _create(coordinator: User, **overrides: object) -> Program:
    fields: dict[str, object] = {
        "name": "Winter home visits",
        "kind": "home_visit",
        "dates": future_dates(40, 33),
        "apply_until": timezone.now() + dt.timedelta(days=10),
        "response_hours": 48,
    }
    fields.update(overrides)
    return program_create(by=coordinator, **fields)  # type: ignore[arg-type]


def _field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


class TestProgramCreate:
    def test_stores_sorted_dates(self, coordinator: User) -> None:
        program = _create(coordinator)
        assert program.dates == sorted(future_days(33, 40))
        assert program.status == Program.Status.OPEN
        assert program.created_by == coordinator

    def test_a_date_only_deadline_means_the_end_of_that_day(self, coordinator: User) -> None:
        day = timezone.localdate() + dt.timedelta(days=5)
        program = _create(coordinator, apply_until=day)
        local = timezone.localtime(program.apply_until)
        assert (local.date(), local.hour, local.minute) == (day, 23, 59)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"dates": []}, "dates"),
            ({"dates": future_dates(30, 30)}, "dates"),
            ({"dates": future_dates(-1, 30)}, "dates"),
            ({"apply_until": timezone.now() - dt.timedelta(hours=1)}, "apply_until"),
            ({"apply_until": future_dates(35)[0]}, "apply_until"),
        ],
    )
    def test_bad_field_is_named_and_nothing_stored(
        self, coordinator: User, overrides: dict[str, object], field: str
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            _create(coordinator, **overrides)
        assert field in _field_errors(exc)
        assert not Program.objects.exists()

    def test_only_coordinators_create(self, student: User) -> None:
        with pytest.raises(PermissionDenied):
            _create(student)

    def test_close_is_idempotent(self, coordinator: User) -> None:
        program = _create(coordinator)
        closed = program_close(program=program, by=coordinator)
        first_closed_at = closed.closed_at
        again = program_close(program=program, by=coordinator)
        assert again.status == Program.Status.CLOSED
        assert again.closed_at == first_closed_at


class TestApply:
    def test_student_applies_to_some_dates(self, program: Program, student: User) -> None:
        application = application_submit(program=program, user=student, dates=program.days[:1])
        assert application.role == Role.STUDENT
        assert application.status == Application.Status.ACTIVE
        assert application.dates == program.dates[:1]
        assert not HostDay.objects.exists()

    def test_host_gets_a_day_row_per_date_with_its_seats(
        self, program: Program, host: User
    ) -> None:
        application = application_submit(program=program, user=host, dates=program.days, capacity=2)
        days = list(application.days.order_by("date"))
        assert [d.date.isoformat() for d in days] == program.dates
        assert {d.seats for d in days} == {2}
        assert {d.seats_taken for d in days} == {0}

    def test_incomplete_profile_is_refused(self, program: Program) -> None:
        user = factories.StudentProfileFactory(home_station_id=None).user
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=user, dates=program.days)
        assert "home_station" in _field_errors(exc)["profile"][0]
        assert not Application.objects.exists()

    def test_user_without_profile_is_refused(self, program: Program) -> None:
        user = factories.UserFactory(role=Role.HOST)
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=user, dates=program.days, capacity=1)
        assert "profile" in _field_errors(exc)

    def test_after_apply_until_is_refused(self, program: Program, student: User) -> None:
        Program.objects.filter(pk=program.pk).update(
            apply_until=timezone.now() - dt.timedelta(minutes=1)
        )
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=student, dates=program.days)
        assert "apply_until" in _field_errors(exc)

    def test_date_outside_the_programme_is_refused(self, program: Program, host: User) -> None:
        with pytest.raises(ValidationError) as exc:
            application_submit(
                program=program, user=host, dates=[*program.days, future_dates(31)[0]], capacity=1
            )
        assert future_days(31)[0] in _field_errors(exc)["dates"][0]
        assert not Application.objects.exists()
        assert not HostDay.objects.exists()

    def test_applying_twice_is_refused(self, program: Program, student: User) -> None:
        application_submit(program=program, user=student, dates=program.days)
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=student, dates=program.days)
        assert "already applied" in _field_errors(exc)["program"][0]
        assert Application.objects.count() == 1

    def test_closed_programme_is_refused(
        self, program: Program, student: User, coordinator: User
    ) -> None:
        program_close(program=program, by=coordinator)
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=student, dates=program.days)
        assert "closed" in _field_errors(exc)["program"][0]

    def test_host_must_say_how_many_seats(self, program: Program, host: User) -> None:
        # The range (1 to 3) is the model's, checked by the serializer and the form.
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=host, dates=program.days)
        assert "capacity" in _field_errors(exc)
        assert not Application.objects.exists()

    def test_student_offers_no_seats(self, program: Program, student: User) -> None:
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=student, dates=program.days, capacity=2)
        assert "capacity" in _field_errors(exc)

    def test_no_dates_is_refused(self, program: Program, student: User) -> None:
        with pytest.raises(ValidationError) as exc:
            application_submit(program=program, user=student, dates=[])
        assert "dates" in _field_errors(exc)

    def test_coordinators_cannot_apply(self, program: Program, coordinator: User) -> None:
        with pytest.raises(PermissionDenied):
            application_submit(program=program, user=coordinator, dates=program.days)


class TestLanguageExchange:
    @pytest.fixture
    def exchange(self, coordinator: User) -> Program:
        return factories.ProgramFactory(
            created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(30)
        )

    def test_stores_teaches_learns_format(self, exchange: Program, student: User) -> None:
        application = application_submit(
            program=exchange,
            user=student,
            teaches=["vi"],
            learns=["ja"],
            format="online",
            time_slots=["sat-am"],
        )
        assert (application.teaches, application.learns, application.format) == (
            ["vi"],
            ["ja"],
            "online",
        )
        assert application.dates == exchange.dates
        assert application.time_slots == ["sat-am"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"teaches": [], "learns": ["ja"], "format": "online"}, "teaches"),
            ({"teaches": ["vi"], "learns": [], "format": "online"}, "learns"),
            ({"teaches": ["ja"], "learns": ["ja"], "format": "online"}, "learns"),
            ({"teaches": ["vi"], "learns": ["ja"]}, "format"),
            ({"teaches": ["vi"], "learns": ["ja"], "format": "online", "capacity": 2}, "capacity"),
        ],
    )
    def test_bad_body_names_the_field(
        self, exchange: Program, host: User, body: dict[str, object], field: str
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            application_submit(program=exchange, user=host, **body)  # type: ignore[arg-type]
        assert field in _field_errors(exc)
        assert not Application.objects.exists()

    def test_weekly_slots_are_stored_once_each_in_the_order_given(
        self, exchange: Program, student: User
    ) -> None:
        application = application_submit(
            program=exchange,
            user=student,
            teaches=["vi"],
            learns=["ja"],
            format="online",
            time_slots=["sat-am", "mon-eve", "sat-am"],
        )
        assert application.time_slots == ["sat-am", "mon-eve"]

    def test_weekly_slots_are_optional(self, exchange: Program, student: User) -> None:
        # API.md's language-exchange body is {teaches, learns, format}: no slot is required.
        application = application_submit(
            program=exchange, user=student, teaches=["vi"], learns=["ja"], format="online"
        )
        assert application.time_slots == []

    def test_every_reference_slot_is_accepted(self, exchange: Program, student: User) -> None:
        codes = [slot.code for slot in WEEKLY_SLOTS]
        application = application_submit(
            program=exchange,
            user=student,
            teaches=["vi"],
            learns=["ja"],
            format="either",
            time_slots=codes,
        )
        assert application.time_slots == codes


class TestWithdraw:
    def test_applicant_withdraws_once(self, program: Program, student: User) -> None:
        application = application_submit(program=program, user=student, dates=program.days)
        application_withdraw(application=application, by=student)
        again = application_withdraw(application=application, by=student)
        assert again.status == Application.Status.WITHDRAWN

    def test_someone_else_may_not(self, program: Program, student: User, host: User) -> None:
        application = application_submit(program=program, user=student, dates=program.days)
        with pytest.raises(PermissionDenied):
            application_withdraw(application=application, by=host)

    def test_a_live_proposal_blocks_withdrawal(self, program: Program) -> None:
        from matching.models import Proposal

        proposal = factories.ProposalFactory(
            round=factories.RoundFactory(program=program), status=Proposal.Status.PROPOSED
        )
        student = proposal.student_application.user
        with pytest.raises(ValidationError):
            application_withdraw(application=proposal.student_application, by=student)
        proposal.student_application.refresh_from_db()
        assert proposal.student_application.status == Application.Status.ACTIVE
