"""Reads about visiting together (``matching.services.groups``): a student's requests, the
groups a round hands to the solver, and the partners' names that explain them."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Role, User
from matching.models import Application, GroupRequest

# Why a student of a confirmed group is left out of a round before the solver sees it: the
# partner already has a visit of the programme, or cannot be placed (the registry, a profile
# the matcher cannot read). Params: ``partner`` (application id), and ``partner_name``.
PARTNER_PLACED = "group_partner_placed"
PARTNER_NOT_READY = "group_partner_not_ready"
# The reason codes that name a partner (the solver's ``group`` and the two above).
PARTNER_CODES = ("group", PARTNER_PLACED, PARTNER_NOT_READY)


def with_group_partner(students: QuerySet[Application]) -> QuerySet[Application]:
    """Each student application annotated with ``group_partner``: the application id of the
    student it is in a confirmed group with, or None (in the same query)."""
    confirmed = GroupRequest.objects.filter(status=GroupRequest.Status.CONFIRMED)
    return students.annotate(
        group_partner=Coalesce(
            Subquery(confirmed.filter(inviter=OuterRef("pk")).values("invitee_id")[:1]),
            Subquery(confirmed.filter(invitee=OuterRef("pk")).values("inviter_id")[:1]),
        )
    )


def solver_ready(application: Application) -> bool:
    """Whether the matcher can read the applicant's profile: it exists and names a station
    (``matching.services.solver_input`` leaves the others out as ``profile_incomplete``)."""
    name = "student_profile" if application.role == Role.STUDENT else "host_profile"
    profile = getattr(application.user, name, None)
    return profile is not None and profile.home_station is not None


@dataclass
class PoolGroups:
    """The groups of a round's free students: ``pairs`` (both free and readable, each pair
    once, lower id first) and ``apart``: (application, reason code, partner's application id)
    for each student whose partner cannot be placed with them this round."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    apart: list[tuple[Application, str, int]] = field(default_factory=list)


def pool_groups(*, students: list[Application], refused: Collection[int]) -> PoolGroups:
    """Split ``students`` (free, matchable, annotated by ``with_group_partner``) into groups
    and those whose partner is away: in ``refused`` (not matchable: not ready), or not among
    the free students (already placed). A student whose own profile is unreadable stays for
    the solver's input to leave out; its partner is then apart. No query."""
    free = {app.pk: app for app in students}
    result = PoolGroups()
    for app in students:
        partner = getattr(app, "group_partner", None)
        if partner is None or not solver_ready(app):
            continue
        mate = free.get(partner)
        if mate is not None and solver_ready(mate):
            if app.pk < partner:
                result.pairs.append((app.pk, partner))
        elif mate is not None or partner in refused:
            result.apart.append((app, PARTNER_NOT_READY, partner))
        else:
            result.apart.append((app, PARTNER_PLACED, partner))
    return result


def group_requests_of(*, user: User, program_id: int | None = None) -> QuerySet[GroupRequest]:
    """The student's requests to visit together, sent or received, newest first, with both
    applicants and the programme (one query), optionally of one programme only."""
    requests = GroupRequest.objects.filter(
        Q(inviter__user=user) | Q(invitee__user=user)
    ).select_related("program", "inviter__user", "invitee__user")
    if program_id is not None:
        requests = requests.filter(program_id=program_id)
    return requests.order_by("-created_at", "-id")


def group_request_of(*, user: User, request_id: int) -> GroupRequest | None:
    """One request, if ``user`` is one of its two students (one query)."""
    return group_requests_of(user=user).filter(pk=request_id).first()


def live_group_request(*, user: User, program_id: int) -> GroupRequest | None:
    """The student's pending or confirmed request in the programme, if any (one query)."""
    return (
        group_requests_of(user=user, program_id=program_id)
        .filter(status__in=GroupRequest.LIVE)
        .first()
    )


def invitations_waiting(*, user: User) -> list[GroupRequest]:
    """Invitations to visit together that wait for ``user``'s answer, oldest first (one
    query): the dashboard's next steps."""
    return list(
        GroupRequest.objects.filter(invitee__user=user, status=GroupRequest.Status.PENDING)
        .select_related("program", "inviter__user")
        .order_by("created_at", "id")
    )


def partner_names(rows: Iterable[dict[str, Any]]) -> None:
    """Add ``partner_name`` to the params of each reason in ``rows`` (dicts with
    ``reasons``, as ``round_detail`` reads them) that names a partner: one query for all, none
    when no reason names one. A deleted partner's reason keeps its id only."""
    rows = list(rows)
    wanted = {
        int(reason["params"]["partner"])
        for row in rows
        for reason in row["reasons"]
        if reason.get("code") in PARTNER_CODES and "partner" in (reason.get("params") or {})
    }
    if not wanted:
        return
    names = dict(Application.objects.filter(pk__in=wanted).values_list("pk", "user__name"))
    for row in rows:
        for reason in row["reasons"]:
            params = reason.get("params") or {}
            if reason.get("code") in PARTNER_CODES and int(params.get("partner", 0)) in names:
                params["partner_name"] = names[int(params["partner"])]
