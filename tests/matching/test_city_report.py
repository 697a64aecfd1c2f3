"""The report to the city: its definitions, the period's defaults, small-number masking, and a
query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from accounts.registry.models import RegistryRecord
from matching.models import Feedback, Program, Proposal, ProposalEvent
from matching.selectors.city_report import (
    city_report,
    fiscal_year,
    masked,
    report_data,
    report_period,
)
from tests.factories import (
    ApplicationFactory,
    HostApplicationFactory,
    ProgramFactory,
    ProposalFactory,
    RoundFactory,
    StudentProfileFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)
START, END = dt.date(2026, 4, 1), dt.date(2027, 3, 31)


def past_program(day: dt.date) -> Program:
    return ProgramFactory(dates=[day.isoformat()])


def visit(
    program: Program,
    *,
    status: str = Proposal.Status.CONFIRMED,
    student: User | None = None,
    host_app: Any = None,
    nationality: str = "VN",
    reason: str = "",
) -> Proposal:
    student = student or StudentProfileFactory(nationality=nationality).user
    proposal = ProposalFactory(
        round=RoundFactory(program=program),
        student_application=ApplicationFactory(program=program, user=student),
        host_application=host_app or HostApplicationFactory(program=program),
        status=status,
        confirmed_at=timezone.now() if status != Proposal.Status.DECLINED else None,
    )
    if status == Proposal.Status.DECLINED:
        ProposalEvent.objects.create(
            proposal=proposal, from_status="proposed", to_status="declined", reason=reason
        )
    return proposal


def last_autumn_visits() -> None:
    """Five visits on 4 October 2025: four Vietnamese students and one Nepalese."""
    program = past_program(dt.date(2025, 10, 4))
    for _n in range(4):
        visit(program, nationality="VN")
    visit(program, nationality="NP")


def test_fiscal_year_runs_april_to_march() -> None:
    assert fiscal_year(dt.date(2026, 12, 6)) == (START, END)
    assert fiscal_year(dt.date(2027, 3, 31)) == (START, END)
    assert fiscal_year(dt.date(2026, 3, 31)) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


def test_period_defaults_and_refusals() -> None:
    assert report_period(start=None, end=None, today=TODAY) == (START, END)
    assert report_period(start=dt.date(2025, 4, 1), end=None) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
    )
    with pytest.raises(ValidationError) as caught:
        report_period(start=END, end=START)
    assert "to" in caught.value.message_dict
    with pytest.raises(ValidationError):
        report_period(start=dt.date(2000, 1, 1), end=END)


def test_counts_follow_the_definitions() -> None:
    day = dt.date(2026, 10, 3)
    program = past_program(day)
    for _n in range(3):
        visit(program, nationality="VN")
    visit(program, nationality="NP", status=Proposal.Status.CANCELLED)
    for _n in range(3):
        visit(program, status=Proposal.Status.DECLINED, reason="Our plans  changed")
    visit(program, status=Proposal.Status.DECLINED, reason="")
    ApplicationFactory(program=program)  # applied, never proposed
    # A visit in the fiscal year before does not count.
    visit(past_program(dt.date(2026, 3, 1)))
    report = city_report(start=START, end=END, today=TODAY)
    assert report.totals["student_applicants"] == 9
    assert report.totals["placed"] == 3 and report.totals["visits_held"] == 3
    assert report.totals["cancelled"] == 1
    assert report.by_nationality[0]["key"] == "VN" and report.by_nationality[0]["placed"] == 3
    assert report.decline_reasons == [
        {"reason": "Our plans changed", "count": 3},
        {"reason": "", "count": 1},
    ]


def test_first_time_against_repeat() -> None:
    returning = StudentProfileFactory().user
    visit(past_program(dt.date(2025, 10, 4)), student=returning)
    program = past_program(dt.date(2026, 10, 3))
    visit(program, student=returning)
    visit(program)
    report = city_report(start=START, end=END, today=TODAY)
    assert report.first_time[0] == {"who": "students", "first_time": 1, "repeat": 1}


def test_mean_rating_and_ratings() -> None:
    program = past_program(dt.date(2026, 10, 3))
    for rating in (5, 4, 3):
        proposal = visit(program)
        Feedback.objects.create(
            proposal=proposal,
            author=proposal.student_application.user,
            rating=rating,
            would_meet_again=True,
        )
    report = city_report(start=START, end=END, today=TODAY)
    assert report.totals["mean_rating"] == 4.0
    assert report.ratings[0] == {"rating": 5, "count": 1}


def test_families_active_new_and_lapsed() -> None:
    def family(first: dt.date, until: dt.date) -> None:
        user = HostApplicationFactory().user
        RegistryRecord.objects.update_or_create(
            user=user, defaults={"first_approved_on": first, "valid_until": until}
        )

    family(dt.date(2026, 5, 1), dt.date(2027, 4, 30))  # new, active
    family(dt.date(2024, 5, 1), dt.date(2026, 8, 31))  # active, lapsed
    family(dt.date(2024, 5, 1), dt.date(2027, 5, 31))  # active
    family(dt.date(2023, 5, 1), dt.date(2025, 5, 31))  # neither
    # The students' families of other tests' factories are approved: none here but these.
    assert RegistryRecord.objects.filter(user__role=Role.HOST).count() == 4
    report = city_report(start=START, end=END, today=TODAY)
    assert report.families == {"active": 3, "new": 1, "lapsed": 1}


def test_downloads_mask_small_counts() -> None:
    assert [masked(n) for n in (0, 1, 2, 3)] == [0, "<3", "<3", 3]
    program = past_program(dt.date(2026, 10, 3))
    proposal = visit(program)
    Feedback.objects.create(
        proposal=proposal,
        author=proposal.student_application.user,
        rating=2,
        would_meet_again=False,
    )
    visit(program, status=Proposal.Status.DECLINED, reason="A rare reason naming someone")
    data = report_data(city_report(start=START, end=END, today=TODAY), mask=True)
    assert data["totals"]["placed"] == "<3" and data["totals"]["mean_rating"] is None
    assert data["decline_reasons"] == [{"reason": "", "count": "<3"}]
    exact = report_data(city_report(start=START, end=END, today=TODAY), mask=False)
    assert exact["totals"]["placed"] == 1 and exact["totals"]["mean_rating"] == 2.0


def test_one_programme_only() -> None:
    day = dt.date(2026, 10, 3)
    one, other = past_program(day), past_program(day)
    visit(one)
    visit(other)
    report = city_report(start=START, end=END, program_id=one.pk, today=TODAY)
    assert report.totals["placed"] == 1 and report.program == one
    with pytest.raises(ValidationError):
        city_report(start=START, end=END, program_id=10**9)


def test_no_shows_are_the_visits_the_records_say_the_student_missed() -> None:
    from matching.models import Attendance

    program = past_program(dt.date(2026, 10, 3))
    missed, held, disputed = visit(program), visit(program), visit(program)
    Attendance.objects.create(proposal=missed, side="coordinator", outcome="student_absent")
    Attendance.objects.create(proposal=held, side="student", outcome="held")
    Attendance.objects.create(proposal=disputed, side="student", outcome="held")
    Attendance.objects.create(proposal=disputed, side="host", outcome="student_absent")
    report = city_report(start=START, end=END, today=TODAY)
    assert report.totals["no_shows"] == 1 and report.outcome_columns == ["no_shows"]


def test_query_count_does_not_grow_with_the_rows() -> None:
    program = past_program(dt.date(2026, 10, 3))
    visit(program)
    with CaptureQueriesContext(connection) as few:
        city_report(start=START, end=END, today=TODAY)
    for _n in range(6):
        visit(program, nationality="NP")
    visit(program, status=Proposal.Status.DECLINED, reason="x")
    with CaptureQueriesContext(connection) as many:
        city_report(start=START, end=END, today=TODAY)
    assert len(many.captured_queries) == len(few.captured_queries) == 15
    assert User.objects.filter(role=Role.STUDENT).count() >= 8
