"""Reads for rounds: who is still free to place, what the two sides' history forbids, and the
rounds a coordinator reviews. Every read runs a fixed number of queries whatever the rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from accounts.registry.selectors import is_matchable, person_status
from matching.models import (
    Application,
    Feedback,
    HostDay,
    Incident,
    Program,
    Proposal,
    Round,
    Unplaced,
)
from matching.selectors.groups import partner_names, pool_groups, with_group_partner

# Why a pair may not be proposed, as the solver names it (matching.solver.types.FORBID_REASONS).
DECLINED = "declined"
MET_BEFORE = "met_before"
BAD_FEEDBACK = "bad_feedback"
# A coordinator's decision on an incident: the pair is forbidden as their forbids are.
COORDINATOR = "coordinator"
BAD_RATING_AT_MOST = 2


@dataclass
class RoundPool:
    """The applicants a round may place. ``free_seats`` maps a host application id to
    ``{iso date: seats still free}`` for every day it offered (0 when full): the solver tells
    "full" apart from "not offered" in its explanations."""

    students: list[Application]
    hosts: list[Application]
    free_seats: dict[int, dict[str, int]] = field(default_factory=dict)
    # Confirmed visits of each family (by host user id) across every programme.
    times_hosted: dict[int, int] = field(default_factory=dict)
    # Applicants the registry does not let the round place (a family not approved, a student
    # not confirmed), each with its status: listed as unplaced with that reason.
    ineligible: list[tuple[Application, str]] = field(default_factory=list)
    # Fair ties, by student user id: home visits confirmed in other programmes, and rounds
    # of any programme (this one too) that left the student unplaced.
    visits_before: dict[int, int] = field(default_factory=dict)
    unplaced_before: dict[int, int] = field(default_factory=dict)
    # Confirmed groups of two free students (application ids, lower first): placed together
    # on one family and day, or neither; and the students left out because their partner
    # cannot be placed this round, each with the reason's code and the partner's id.
    groups: list[tuple[int, int]] = field(default_factory=list)
    apart: list[tuple[Application, str, int]] = field(default_factory=list)


def _split_matchable(
    apps: list[Application], *, role: str
) -> tuple[list[Application], list[tuple[Application, str]]]:
    """The applications the registry lets a round place (``is_matchable``: an approved family,
    a confirmed student), and the others with their status."""
    today = timezone.localdate()
    kept: list[Application] = []
    refused: list[tuple[Application, str]] = []
    for app in apps:
        if is_matchable(app.user, today):
            kept.append(app)
        else:
            record = getattr(app.user, "registry", None)
            refused.append((app, person_status(role=role, record=record, today=today)))
    return kept, refused


def applications_for_round(*, program: Program) -> RoundPool:
    """Active applications of ``program`` still free: students without a live proposal in the
    programme, and every active family with its seats left per day, of those the registry lets
    be matched (the others in ``ineligible``), and the confirmed groups among the students
    (``groups``; a student whose partner cannot be placed is ``apart``, not a student here).
    Profiles (with their stations) and registry records are joined; with each student's
    history for fair ties, six queries in all."""
    live = Proposal.objects.filter(student_application=OuterRef("pk"), status__in=Proposal.LIVE)
    base = Application.objects.filter(program=program, status=Application.Status.ACTIVE)
    students = list(
        with_group_partner(base.filter(role=Role.STUDENT))
        .exclude(Exists(live))
        .select_related(
            "user",
            "user__registry",
            "user__student_profile",
            "user__student_profile__home_station",
        )
        .order_by("id")
    )
    hosts = list(
        base.filter(role=Role.HOST)
        .select_related(
            "user", "user__registry", "user__host_profile", "user__host_profile__home_station"
        )
        .prefetch_related(Prefetch("days", queryset=HostDay.objects.order_by("date")))
        .order_by("id")
    )
    students, refused_students = _split_matchable(students, role=Role.STUDENT)
    grouped = pool_groups(students=students, refused={app.pk for app, _ in refused_students})
    away = {app.pk for app, _code, _partner in grouped.apart}
    students = [app for app in students if app.pk not in away]
    hosts, refused_hosts = _split_matchable(hosts, role=Role.HOST)
    free_seats = {
        host.pk: {
            day.date.isoformat(): max(0, day.seats - day.seats_taken) for day in host.days.all()
        }
        for host in hosts
    }
    hosted = (
        Proposal.objects.filter(
            status=Proposal.Status.CONFIRMED,
            host_application__user_id__in=[host.user_id for host in hosts],
        )
        .values("host_application__user_id")
        .annotate(n=Count("id"))
    )
    times_hosted = {row["host_application__user_id"]: row["n"] for row in hosted}
    student_ids = [app.user_id for app in students]
    visited = (
        Proposal.objects.filter(
            status=Proposal.Status.CONFIRMED, student_application__user_id__in=student_ids
        )
        .exclude(program=program)
        .values("student_application__user_id")
        .annotate(n=Count("id"))
    )
    unplaced = (
        Application.objects.filter(user_id__in=student_ids, role=Role.STUDENT)
        .values("user_id")
        .annotate(n=Sum("times_unplaced"))
    )
    return RoundPool(
        students=students,
        hosts=hosts,
        free_seats=free_seats,
        times_hosted=times_hosted,
        ineligible=[*refused_students, *refused_hosts],
        visits_before={row["student_application__user_id"]: row["n"] for row in visited},
        unplaced_before={row["user_id"]: row["n"] or 0 for row in unplaced},
        groups=grouped.pairs,
        apart=grouped.apart,
    )


def pairs_never_again(*, user_ids: Collection[int]) -> dict[tuple[int, int], str]:
    """Pairs of these users that must never be proposed again, keyed ``(user id, user id)`` as
    their proposal stored them (the student side first), with why:

    - ``declined``: one declined the other, in any programme (the same people apply afresh);
    - ``bad_feedback``: either side rated the other ``BAD_RATING_AT_MOST`` or less, or would
      not meet again;
    - ``coordinator``: a coordinator closed an incident about the pair's visit with "never pair
      these two again".

    Both users of a pair are among ``user_ids``. Three queries."""
    users = list(user_ids)
    pairs: dict[tuple[int, int], str] = {}
    declined = Proposal.objects.filter(
        status=Proposal.Status.DECLINED,
        student_application__user_id__in=users,
        host_application__user_id__in=users,
    ).values_list("student_application__user_id", "host_application__user_id")
    flagged = Feedback.objects.filter(
        Q(rating__lte=BAD_RATING_AT_MOST) | Q(would_meet_again=False),
        proposal__student_application__user_id__in=users,
        proposal__host_application__user_id__in=users,
    ).values_list("proposal__student_application__user_id", "proposal__host_application__user_id")
    never_again = Incident.objects.filter(
        outcome=Incident.Outcome.NEVER_AGAIN,
        proposal__student_application__user_id__in=users,
        proposal__host_application__user_id__in=users,
    ).values_list("proposal__student_application__user_id", "proposal__host_application__user_id")
    for rows, reason in (
        (declined, DECLINED),
        (never_again, COORDINATOR),
        (flagged, BAD_FEEDBACK),
    ):
        for pair in rows:
            pairs.setdefault(pair, reason)
    return pairs


def pair_history(*, pool: RoundPool) -> dict[tuple[int, int], str]:
    """Pairs of a home-visit pool that must not be proposed because of what already happened
    between the two people, keyed ``(student application id, host application id)``: the
    pairs ``pairs_never_again`` names, and ``met_before`` (a confirmed visit between the same
    two users, in any programme: a student visits a family once). Four queries."""
    student_app = {app.user_id: app.pk for app in pool.students}
    host_app = {app.user_id: app.pk for app in pool.hosts}
    if not student_app or not host_app:
        return {}
    never = pairs_never_again(user_ids=[*student_app, *host_app])
    met = Proposal.objects.filter(
        status=Proposal.Status.CONFIRMED,
        student_application__user_id__in=list(student_app),
        host_application__user_id__in=list(host_app),
    ).values_list("student_application__user_id", "host_application__user_id")
    pairs: dict[tuple[int, int], str] = {}
    # A declined pair says so first, then a past visit, then the feedback on it.
    ranked = [
        *((pair, DECLINED) for pair, reason in never.items() if reason == DECLINED),
        *((pair, MET_BEFORE) for pair in met),
        *((pair, reason) for pair, reason in never.items() if reason != DECLINED),
    ]
    for (student_user, host_user), reason in ranked:
        student_id, host_id = student_app.get(student_user), host_app.get(host_user)
        if student_id is not None and host_id is not None:
            pairs.setdefault((student_id, host_id), reason)
    return pairs


def rounds_of_program(*, program: Program) -> QuerySet[Round]:
    """The programme's rounds, newest first, with their proposal counts (one query)."""
    return (
        Round.objects.filter(program=program)
        .select_related("created_by")
        .annotate(proposal_count=Count("proposals"))
        .order_by("-number")
    )


def round_of_program(*, program: Program, round_id: int) -> Round | None:
    """One of the programme's rounds, or None (missing, or another programme's)."""
    return Round.objects.filter(program=program, pk=round_id).first()


def unplaced_of_application(*, application: Application) -> QuerySet[Unplaced]:
    """Why each round left this applicant out, newest round first, with the round (one
    query)."""
    return (
        Unplaced.objects.filter(application=application)
        .select_related("round", "application__user__host_profile")
        .order_by("-round__number")
    )


@dataclass
class RoundDetail:
    """A round for the API's detail and the coordinator's review page: the round itself (with
    its programme and creator), and its proposals and unplaced applicants as plain rows in the
    API's shape (``RoundProposalOutput``, ``RoundUnplacedOutput``)."""

    round: Round
    proposals: list[dict[str, Any]]
    unmatched: list[dict[str, Any]]


def _host_name(household_name: str | None, user_name: str) -> str:
    # A family by its household name; a language-exchange "host" side, or a family without
    # one, by the person's name.
    return household_name or user_name


def round_detail(*, round_id: int) -> RoundDetail:
    """The round detail as rows: three queries whatever the number of proposals (a fourth
    when an unplaced student's reason names a group partner: ``partner_names``), each
    fetching only the columns shown, and no model instance per proposal (a round holds
    about one proposal per student: thousands, and instances made the API's answer several
    times slower). Http404 when missing."""
    found = Round.objects.filter(pk=round_id).select_related("program", "created_by").first()
    if found is None:
        raise Http404
    partner_of = {a: b for pair in found.groups for a, b in (pair, pair[::-1])}
    proposals = [
        {
            "id": pk,
            "student_application": student_app,
            "host_application": host_app,
            "date": day,
            "score": float(score),
            "breakdown": breakdown,
            "status": status,
            "student": {"user": student_user, "name": student_name},
            "host": {"user": host_user, "name": _host_name(household, host_user_name)},
            "group_partner": partner_of.get(student_app),
            "not_alone": not_alone,
        }
        for (
            pk,
            student_app,
            host_app,
            day,
            score,
            breakdown,
            status,
            student_user,
            student_name,
            host_user,
            host_user_name,
            household,
            not_alone,
        ) in Proposal.objects.filter(round_id=round_id)
        .order_by("date", "id")
        .values_list(
            "id",
            "student_application_id",
            "host_application_id",
            "date",
            "score",
            "breakdown",
            "status",
            "student_application__user_id",
            "student_application__user__name",
            "host_application__user_id",
            "host_application__user__name",
            "host_application__user__host_profile__household_name",
            "student_application__not_alone",
        )
    ]
    unmatched = [
        {
            "application": application,
            "role": role,
            "name": _host_name(household, user_name) if role == Role.HOST else user_name,
            "reasons": reasons,
        }
        for application, role, user_name, household, reasons in Unplaced.objects.filter(
            round_id=round_id
        )
        .order_by("id")
        .values_list(
            "application_id",
            "application__role",
            "application__user__name",
            "application__user__host_profile__household_name",
            "reasons",
        )
    ]
    # A group's reasons name the partner (a fourth query, only when one does).
    partner_names(unmatched)
    return RoundDetail(round=found, proposals=proposals, unmatched=unmatched)
