"""The yearly report to the city: for a period (a fiscal year, April to March, by default) and
optionally one programme, who applied, who was placed, the visits held, cancelled and missed,
by nationality and school, first-time against repeat, the families active, new and lapsed,
the feedback and the top decline reasons.

The definitions, each in one place here:
- a programme is *in* the period when one of its visit days is;
- *applicants*: students who applied to a programme in the period (withdrawn ones too);
- *placed*: students with a confirmed visit dated in the period;
- *visits held*: confirmed visits dated in the period, before today; *cancelled*: visits
  dated in the period that were confirmed and then cancelled;
- *first-time*: placed students and families with no confirmed visit dated before the period;
- families *active*: approved for at least part of the period; *new*: first approved in it;
  *lapsed*: their approval ran out in it (before today) and was not renewed;
- counts below ``SMALL`` are shown as "<3" in anything downloadable (``masked``).

- *no-shows*: visits of the period whose outcome (``selectors.attendance.visit_outcome``, the one
  rule of what the records say) is that the student did not come.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, StudentProfile
from accounts.registry.models import RegistryRecord
from matching.models import (
    Application,
    Attendance,
    Feedback,
    Program,
    Proposal,
    ProposalEvent,
)
from matching.selectors.attendance import records_of, visit_outcome

SMALL = 3
TOP_REASONS = 5
# The fiscal year of Japanese public bodies starts on 1 April.
FISCAL_YEAR_START_MONTH = 4


def _no_shows(visits: QuerySet[Proposal]) -> int:
    """The visits the student did not come to, as their records settle it (one query)."""
    records = records_of(Attendance.objects.filter(proposal__in=visits))
    absent = Attendance.Outcome.STUDENT_ABSENT
    return sum(visit_outcome(r) == absent for r in records.values())


def fiscal_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The fiscal year (1 April to 31 March) that ``day`` falls in."""
    start_year = day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1
    return dt.date(start_year, FISCAL_YEAR_START_MONTH, 1), dt.date(start_year + 1, 3, 31)


# The longest period one report covers: a bound on one request's work.
MAX_PERIOD_DAYS = 5 * 366


def report_period(
    *, start: dt.date | None, end: dt.date | None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period a request names: both ends given; one end and its fiscal year's other end;
    or neither, this fiscal year. Raises ValidationError naming ``to`` for an end before the
    start or a period longer than five years."""
    if start is None or end is None:
        start = start or fiscal_year(end or today or timezone.localdate())[0]
        end = end or fiscal_year(start)[1]
    if end < start:
        raise ValidationError({"to": [_("The end of the period is before its start.")]})
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationError({"to": [_("A report covers at most five years.")]})
    return start, end


def masked(count: int | None) -> int | str | None:
    """A count as a download shows it: 1 and 2 become "<3" (small-number privacy)."""
    return "<3" if count is not None and 0 < count < SMALL else count


@dataclass
class CityReport:
    start: dt.date
    end: dt.date
    program: Program | None
    totals: dict[str, int | float | None]
    by_nationality: list[dict[str, Any]]
    by_school: list[dict[str, Any]]
    first_time: list[dict[str, Any]]
    families: dict[str, int]
    ratings: list[dict[str, Any]]
    decline_reasons: list[dict[str, Any]]
    outcome_columns: list[str] = field(default_factory=list)


def _programs_in(start: dt.date, end: dt.date, program_id: int | None) -> list[int]:
    programs = (
        Program.objects.all() if program_id is None else Program.objects.filter(pk=program_id)
    )
    low, high = start.isoformat(), end.isoformat()
    return [
        pk
        for pk, dates in programs.values_list("pk", "dates")
        if any(low <= d <= high for d in dates)
    ]


def _grouped(
    applicants: dict[int, str], placed: set[int], labels: dict[str, str]
) -> list[dict[str, Any]]:
    """Rows of applicants and placed students per key, largest first."""
    applied = Counter(applicants.values())
    placed_by = Counter(key for user_id, key in applicants.items() if user_id in placed)
    return [
        {
            "key": key,
            "label": labels.get(key, key) or _("Not given"),
            "applicants": n,
            "placed": placed_by[key],
        }
        for key, n in sorted(applied.items(), key=lambda item: (-item[1], item[0]))
    ]


def city_report(
    *, start: dt.date, end: dt.date, program_id: int | None = None, today: dt.date | None = None
) -> CityReport:
    """The report's tables for ``start``..``end`` (both included), of one programme or all; a
    fixed number of queries whatever the number of people and visits. Raises ValidationError
    naming ``program`` for an unknown one."""
    today = today or timezone.localdate()
    program = Program.objects.filter(pk=program_id).first() if program_id else None
    if program_id is not None and program is None:
        raise ValidationError({"program": [_("There is no such programme.")]})
    program_ids = _programs_in(start, end, program_id)
    applications = Application.objects.filter(program_id__in=program_ids)
    visits = Proposal.objects.filter(date__gte=start, date__lte=end)
    if program_id is not None:
        visits = visits.filter(program_id=program_id)
    confirmed = visits.filter(status=Proposal.Status.CONFIRMED)
    cancelled = visits.filter(status=Proposal.Status.CANCELLED, confirmed_at__isnull=False)

    student_apps = set(applications.filter(role=Role.STUDENT).values_list("user_id", flat=True))
    family_applicants = applications.filter(role=Role.HOST).values("user_id").distinct().count()
    placed_pairs = list(
        confirmed.values_list("student_application__user_id", "host_application__user_id")
    )
    placed_students = {student for student, _host in placed_pairs}
    hosting_families = {host for _student, host in placed_pairs}
    earlier = Proposal.objects.filter(status=Proposal.Status.CONFIRMED, date__lt=start)
    returning_students = set(
        earlier.filter(student_application__user_id__in=placed_students).values_list(
            "student_application__user_id", flat=True
        )
    )
    returning_families = set(
        earlier.filter(host_application__user_id__in=hosting_families).values_list(
            "host_application__user_id", flat=True
        )
    )
    profiles = list(
        StudentProfile.objects.filter(
            user_id__in=set(student_apps) | placed_students
        ).select_related("user__registry__school")
    )
    nationality = {p.user_id: p.nationality.code for p in profiles}
    nationality_labels = {p.nationality.code: str(p.nationality.name) for p in profiles}
    school = {}
    for profile in profiles:
        record = getattr(profile.user, "registry", None)
        partner = record.school if record is not None else None
        school[profile.user_id] = partner.label() if partner is not None else profile.school.strip()
    applicant_keys = {user_id: nationality.get(user_id, "") for user_id in student_apps}
    applicant_schools = {user_id: school.get(user_id, "") for user_id in student_apps}

    feedback = Feedback.objects.filter(proposal__in=confirmed)
    rating_stats = feedback.aggregate(mean=Avg("rating"), count=Count("id"))
    ratings = dict(
        feedback.values_list("rating").annotate(n=Count("id")).values_list("rating", "n")
    )

    reasons = Counter(
        " ".join(reason.split())
        for reason in ProposalEvent.objects.filter(
            proposal__in=visits, to_status=Proposal.Status.DECLINED
        ).values_list("reason", flat=True)
    )
    unexplained = reasons.pop("", 0)

    records = RegistryRecord.objects.filter(user__role=Role.HOST)
    lapsed_before = min(end, today - dt.timedelta(days=1))
    families = records.aggregate(
        active=Count(
            "id",
            filter=Q(first_approved_on__lte=end, valid_until__gte=start)
            & ~Q(suspended_at__date__lt=start),
        ),
        new=Count("id", filter=Q(first_approved_on__gte=start, first_approved_on__lte=end)),
        lapsed=Count("id", filter=Q(valid_until__gte=start, valid_until__lte=lapsed_before)),
    )
    totals: dict[str, int | float | None] = {
        "student_applicants": len(student_apps),
        "family_applicants": family_applicants,
        "placed": len(placed_students),
        "families_hosting": len(hosting_families),
        "visits_held": confirmed.filter(date__lt=today).count(),
        "visits_to_come": confirmed.filter(date__gte=today).count(),
        "cancelled": cancelled.count(),
        "feedback": rating_stats["count"],
        "mean_rating": round(rating_stats["mean"], 2) if rating_stats["mean"] is not None else None,
    }
    totals["no_shows"] = _no_shows(visits)
    outcome_columns = ["no_shows"]
    return CityReport(
        start=start,
        end=end,
        program=program,
        totals=totals,
        by_nationality=_grouped(applicant_keys, placed_students, nationality_labels),
        by_school=_grouped(applicant_schools, placed_students, {}),
        first_time=[
            {
                "who": "students",
                "first_time": len(placed_students - returning_students),
                "repeat": len(returning_students),
            },
            {
                "who": "families",
                "first_time": len(hosting_families - returning_families),
                "repeat": len(returning_families),
            },
        ],
        families={key: int(value) for key, value in families.items()},
        ratings=[{"rating": r, "count": ratings.get(r, 0)} for r in range(5, 0, -1)],
        decline_reasons=[
            {"reason": reason, "count": n} for reason, n in reasons.most_common(TOP_REASONS)
        ]
        + ([{"reason": "", "count": unexplained}] if unexplained else []),
        outcome_columns=outcome_columns,
    )


def report_data(report: CityReport, *, mask: bool) -> dict[str, Any]:
    """The report as JSON-ready tables; with ``mask``, as every download shows it: counts of
    1 and 2 are "<3", the mean rating of fewer than 3 answers is left out, and a decline
    reason given fewer than 3 times is counted under "other" (its words could name someone)."""
    count = masked if mask else (lambda n: n)
    totals = {key: value for key, value in report.totals.items() if key != "mean_rating"}
    feedback = int(report.totals["feedback"] or 0)
    reasons = report.decline_reasons
    if mask:
        kept = [row for row in reasons if row["reason"] and row["count"] >= SMALL]
        other = sum(row["count"] for row in reasons if row not in kept)
        reasons = kept + ([{"reason": "", "count": other}] if other else [])
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "program": {"id": report.program.pk, "name": report.program.name}
        if report.program
        else None,
        "totals": {
            **{key: count(value) for key, value in totals.items()},  # type: ignore[arg-type]  # counts and the mean share the dict
            "mean_rating": report.totals["mean_rating"] if not mask or feedback >= SMALL else None,
        },
        "by_nationality": [
            {
                "nationality": row["key"],
                "name": row["label"],
                "applicants": count(row["applicants"]),
                "placed": count(row["placed"]),
            }
            for row in report.by_nationality
        ],
        "by_school": [
            {
                "school": row["label"],
                "applicants": count(row["applicants"]),
                "placed": count(row["placed"]),
            }
            for row in report.by_school
        ],
        "first_time": [
            {
                "who": row["who"],
                "first_time": count(row["first_time"]),
                "repeat": count(row["repeat"]),
            }
            for row in report.first_time
        ],
        "families": {key: count(value) for key, value in report.families.items()},
        "ratings": [
            {"rating": row["rating"], "count": count(row["count"])} for row in report.ratings
        ],
        "decline_reasons": [
            {"reason": row["reason"], "count": count(row["count"])} for row in reasons
        ],
    }
