"""What happened on visits, read: the one rule of a visit's outcome, the disagreements
coordinators settle, and each person's record over all visits (held, no-shows, late
cancellations) that the coordinators' pages show and later rounds score.

The outcome (``visit_outcome``): a coordinator's record settles it; else the outcome both
parties recorded, when they agree; else the one party's record. Two parties that disagree
leave it unsettled until a coordinator records the outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from matching.models import Attendance, Program, Proposal

Outcome = Attendance.Outcome
Side = Attendance.Side


def visit_outcome(records: Mapping[str, str]) -> str | None:
    """The outcome of a visit from its records (side -> outcome); None while nobody recorded
    one or the two parties disagree and no coordinator settled it."""
    if Side.COORDINATOR in records:
        return records[Side.COORDINATOR]
    said = {records[side] for side in (Side.STUDENT, Side.HOST) if side in records}
    return said.pop() if len(said) == 1 else None


def is_disputed(records: Mapping[str, str]) -> bool:
    """The two parties recorded different outcomes and no coordinator has settled it."""
    return (
        Side.COORDINATOR not in records
        and Side.STUDENT in records
        and Side.HOST in records
        and records[Side.STUDENT] != records[Side.HOST]
    )


def attendance_open(proposal: Proposal, *, today: dt.date | None = None) -> bool:
    """Attendance is recorded from the visit day on, for a home visit that was confirmed (and
    may have been cancelled since). A weekly language exchange has no visit day to record."""
    today = today or timezone.localdate()
    return (
        proposal.program.kind == Program.Kind.HOME_VISIT
        and proposal.confirmed_at is not None
        and proposal.date <= today
    )


def records_of(rows: Iterable[Attendance]) -> dict[int, dict[str, str]]:
    """Attendance rows grouped by proposal id: side -> outcome."""
    out: dict[int, dict[str, str]] = {}
    for row in rows:
        out.setdefault(row.proposal_id, {})[row.side] = row.outcome
    return out


@dataclass(frozen=True)
class PersonRecord:
    """A person's visits so far: held, not come (a student), cancelled on the day (a family)."""

    held: int = 0
    no_shows: int = 0
    late_cancellations: int = 0


def visit_records(*, proposal_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """side -> outcome of each given visit that has records (one query)."""
    return records_of(Attendance.objects.filter(proposal_id__in=list(proposal_ids)))


def attendance_by_visit(*, proposal_ids: Iterable[int]) -> dict[int, list[Attendance]]:
    """The given visits' records with who made them, for coordinators (one query)."""
    out: dict[int, list[Attendance]] = {}
    rows = Attendance.objects.filter(proposal_id__in=list(proposal_ids)).select_related(
        "recorded_by"
    )
    for row in rows.order_by("proposal_id", "id"):
        out.setdefault(row.proposal_id, []).append(row)
    return out


def disputed_visits(*, program_id: int) -> list[Proposal]:
    """A programme's visits whose two parties disagree, unsettled, by date (two queries)."""
    candidates = (
        Proposal.objects.filter(program_id=program_id, confirmed_at__isnull=False)
        .filter(attendance__side=Side.STUDENT)
        .filter(attendance__side=Side.HOST)
        .exclude(attendance__side=Side.COORDINATOR)
        .select_related("student_application__user", "host_application__user")
        .distinct()
        .order_by("date", "id")
    )
    rows = list(candidates)
    records = visit_records(proposal_ids=[p.pk for p in rows])
    return [p for p in rows if is_disputed(records.get(p.pk, {}))]


def person_records(*, user_ids: Iterable[int]) -> dict[int, PersonRecord]:
    """Each given person's record over every visit they were a party to (by user id; people
    without a recorded visit are absent). A student's faults are no-shows, a family's the
    cancellations on the day; an unsettled disagreement counts for nobody. One query."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = Attendance.objects.filter(
        Q(proposal__student_application__user_id__in=ids)
        | Q(proposal__host_application__user_id__in=ids)
    ).values_list(
        "proposal_id",
        "side",
        "outcome",
        "proposal__student_application__user_id",
        "proposal__host_application__user_id",
    )
    records: dict[int, dict[str, str]] = {}
    people: dict[int, tuple[int, int]] = {}
    for proposal_id, side, outcome, student_id, host_id in rows:
        records.setdefault(proposal_id, {})[side] = outcome
        people[proposal_id] = (student_id, host_id)
    counts: dict[int, list[int]] = {}
    for proposal_id, (student_id, host_id) in people.items():
        settled = visit_outcome(records[proposal_id])
        if settled is None:
            continue
        for user_id, fault in (
            (student_id, Outcome.STUDENT_ABSENT),
            (host_id, Outcome.HOST_CANCELLED_ON_DAY),
        ):
            if user_id not in ids:
                continue
            held_noshow_late = counts.setdefault(user_id, [0, 0, 0])
            if settled == Outcome.HELD:
                held_noshow_late[0] += 1
            elif settled == fault:
                held_noshow_late[1 if fault == Outcome.STUDENT_ABSENT else 2] += 1
    return {
        user_id: PersonRecord(held=c[0], no_shows=c[1], late_cancellations=c[2])
        for user_id, c in counts.items()
    }
