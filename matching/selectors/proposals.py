"""Reads of proposals for the parties, the coordinators, the pages and the next round.

The privacy rule lives here, once: a family sees what it needs to decide about a student; a
student sees the household, and its address and phone only once the match is confirmed; a
coordinator sees everything. A user who is not a party gets ``None`` (the API's 404)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Avg, Count, F, Model, Q, QuerySet

from accounts.models import HostProfile, Role, Station, StudentProfile, User
from config.rawsql import converted, stored_date, stored_datetime
from matching.models import Application, Feedback, Program, Proposal, ProposalEvent

# Feedback at or below this rating, or "would not meet again", keeps a pair apart for good.
BAD_RATING = 2

_RELATED = (
    "program",
    "round",
    "student_application__user__student_profile__home_station",
    "host_application__user__host_profile__home_station",
    # In a language exchange either side may be a student or a family.
    "student_application__user__host_profile__home_station",
    "host_application__user__student_profile__home_station",
)


def _has_conversation_relation() -> bool:
    # chat.Conversation has a one-to-one to Proposal (related name "conversation").
    return any(rel.name == "conversation" for rel in Proposal._meta.related_objects)


def _base() -> QuerySet[Proposal]:
    related = [*_RELATED]
    if _has_conversation_relation():
        related.append("conversation")
    return Proposal.objects.select_related(*related)


def conversation_id(proposal: Proposal) -> int | None:
    """The id of the proposal's conversation (loaded by this module's querysets), or None."""
    try:
        conversation = proposal.conversation
    except (ObjectDoesNotExist, AttributeError):  # none yet, or no chat relation at all
        return None
    return conversation.pk if conversation is not None else None


def proposals_for_user(*, user: User) -> QuerySet[Proposal]:
    """The caller's own published proposals (drafts are the coordinator's), newest date last.
    Query count: one, whatever the rows."""
    return (
        _base()
        .exclude(status=Proposal.Status.DRAFT)
        .filter(Q(student_application__user=user) | Q(host_application__user=user))
        .order_by("date", "id")
    )


def proposal_for_party(*, proposal_id: int, user: User) -> Proposal | None:
    """A published proposal of which ``user`` is a party, or None (missing or not theirs)."""
    return proposals_for_user(user=user).filter(pk=proposal_id).first()


def proposal_visible_to(*, proposal_id: int, user: User) -> Proposal | None:
    """For a coordinator any proposal, for a party their own published one, else None."""
    if user.role == Role.COORDINATOR:
        return _base().filter(pk=proposal_id).first()
    return proposal_for_party(proposal_id=proposal_id, user=user)


def side_of(*, proposal: Proposal, user: User) -> str | None:
    if user.pk == proposal.student_application.user_id:
        return "student"
    if user.pk == proposal.host_application.user_id:
        return "host"
    return None


class JoinedStudent(NamedTuple):
    """A student's profile as the party list reads it in its own row: the fields the views
    below show, valued as the ORM gives them, without building a model instance per row (the
    nationality is the stored code, which is what ``str(Country)`` gives)."""

    id: int
    nationality: str
    gender: str
    languages: list[str]
    diet: list[str]
    allergies: list[str]
    interests: list[str]
    bio: str
    home_station_id: str | None
    station_name_ja: str | None
    station_name_en: str | None

    @property
    def home_station(self) -> Station | None:
        return _joined_station(self)


class JoinedHost(NamedTuple):
    """A family's profile as the party list reads it (see ``JoinedStudent``)."""

    id: int
    household_name: str
    household_size: int | None
    has_children: bool
    languages: list[str]
    pets: list[str]
    smoking: bool
    interests: list[str]
    bio: str
    address: str
    phone: str
    home_station_id: str | None
    station_name_ja: str | None
    station_name_en: str | None

    @property
    def home_station(self) -> Station | None:
        return _joined_station(self)


def _joined_station(profile: JoinedStudent | JoinedHost) -> Station | None:
    if not profile.home_station_id:
        return None
    return Station(
        slug=profile.home_station_id,
        name_ja=profile.station_name_ja or "",
        name_en=profile.station_name_en or "",
    )


Joined = TypeVar("Joined", JoinedStudent, JoinedHost)
StudentShown = StudentProfile | JoinedStudent
HostShown = HostProfile | JoinedHost


def _station(profile: StudentShown | HostShown | None) -> dict[str, str] | None:
    station = profile.home_station if profile else None
    if station is None:
        return None
    return {
        "slug": station.slug,
        "name": station.label(),
        "name_ja": station.name_ja,
        "name_en": station.name_en,
    }


def _student_profile(user: User) -> StudentProfile | None:
    try:
        return user.student_profile
    except StudentProfile.DoesNotExist:
        return None


def _host_profile(user: User) -> HostProfile | None:
    try:
        return user.host_profile
    except HostProfile.DoesNotExist:
        return None


def student_public(user: User) -> dict[str, Any]:
    """What a family sees of a proposed student."""
    return _student_view(user.pk, user.name, _student_profile(user))


def _student_view(user_id: int, name: str, profile: StudentShown | None) -> dict[str, Any]:
    nationality = profile.nationality if profile else None  # a new Country at each read
    return {
        "id": user_id,
        "name": name,
        "nationality": str(nationality) if nationality else "",
        "gender": profile.gender if profile else "",
        "languages": profile.languages if profile else [],
        "diet": profile.diet if profile else [],
        "allergies": profile.allergies if profile else [],
        "interests": profile.interests if profile else [],
        "bio": profile.bio if profile else "",
    }


def host_public(user: User, *, with_contact: bool) -> dict[str, Any]:
    """What a student sees of a proposed family; ``address`` and ``phone`` only with_contact."""
    return _host_view(user.pk, user.name, _host_profile(user), with_contact=with_contact)


def _host_view(
    user_id: int, name: str, profile: HostShown | None, *, with_contact: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": user_id,
        "household_name": (profile.household_name if profile else "") or name,
        "household_size": profile.household_size if profile else None,
        "has_children": profile.has_children if profile else False,
        "languages": profile.languages if profile else [],
        "pets": profile.pets if profile else [],
        "smoking": profile.smoking if profile else False,
        "station": _station(profile),
        "interests": profile.interests if profile else [],
        "bio": profile.bio if profile else "",
    }
    if with_contact:
        data["address"] = profile.address if profile else ""
        data["phone"] = profile.phone if profile else ""
    return data


def exchange_partner_public(user: User) -> dict[str, Any]:
    """What a language-exchange partner sees of the other: languages and interests to plan
    the sessions, the station to pick a meeting place. Never an address, a phone number or
    health data, confirmed or not: partners meet in public places or online."""
    return _exchange_view(user.pk, user.name, _student_profile(user) or _host_profile(user))


def _exchange_view(
    user_id: int, name: str, profile: StudentShown | HostShown | None
) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "languages": profile.languages if profile else [],
        "interests": profile.interests if profile else [],
        "station": _station(profile),
        "bio": profile.bio if profile else "",
    }


def _counterpart_view(
    *,
    kind: str,
    viewer_is_host_side: bool,
    confirmed: bool,
    other_id: int,
    other_name: str,
    student_profile: Callable[[], StudentShown | None],
    host_profile: Callable[[], HostShown | None],
) -> dict[str, Any]:
    """The privacy rule of a party's view, once: the other party as the viewer may see it.
    The profiles are asked for only where the rule shows them."""
    if kind == Program.Kind.LANGUAGE_EXCHANGE:
        return _exchange_view(other_id, other_name, student_profile() or host_profile())
    if viewer_is_host_side:
        return _student_view(other_id, other_name, student_profile())
    return _host_view(other_id, other_name, host_profile(), with_contact=confirmed)


def counterpart(*, proposal: Proposal, viewer: User) -> dict[str, Any]:
    """The other party as ``viewer`` may see it (viewer must be a party)."""
    host_side = viewer.pk == proposal.host_application.user_id
    other = proposal.student_application.user if host_side else proposal.host_application.user
    return _counterpart_view(
        kind=proposal.program.kind,
        viewer_is_host_side=host_side,
        confirmed=proposal.status == Proposal.Status.CONFIRMED,
        other_id=other.pk,
        other_name=other.name,
        student_profile=lambda: _student_profile(other),
        host_profile=lambda: _host_profile(other),
    )


@dataclass(frozen=True)
class PartyProposal:
    """A proposal as one of its parties sees it (API.md's ``GET /api/proposals/`` row)."""

    id: int
    program: int
    program_name: str
    date: dt.date
    status: str
    side: str | None
    counterpart: dict[str, Any]
    deadline: dt.datetime | None
    conversation: int | None
    my_answer: str
    their_answer: str
    confirmed_at: dt.datetime | None


def party_proposal(*, proposal: Proposal, viewer: User) -> PartyProposal:
    """One proposal (loaded by this module's querysets) as its party ``viewer`` sees it."""
    side = side_of(proposal=proposal, user=viewer)
    student_side = side == "student"
    return PartyProposal(
        id=proposal.pk,
        program=proposal.program_id,
        program_name=proposal.program.name,
        date=proposal.date,
        status=proposal.status,
        side=side,
        counterpart=counterpart(proposal=proposal, viewer=viewer),
        deadline=proposal.deadline,
        conversation=conversation_id(proposal),
        my_answer=proposal.student_answer if student_side else proposal.host_answer,
        their_answer=proposal.host_answer if student_side else proposal.student_answer,
        confirmed_at=proposal.confirmed_at,
    )


# The counterpart's profiles come in the same row: the fields the views above show (the
# first, the primary key, tells whether there is a profile at all), then the station's two
# names. A view that read another field fails (the list's one-query test).
_JOINED = ((StudentProfile, JoinedStudent), (HostProfile, JoinedHost))
_STATION_NAMES = 2


@functools.cache
def _party_sql(vendor: str) -> str:
    """The party's list read."""
    # Written out rather than built by the ORM: this list is read on every visit of a
    # party's page and app, and compiling the ORM's 14-table select_related cost more than
    # running it (bench/api_load.py). The caller's applications (index on the user) find
    # their proposals (an OR of the two application indexes); the programme and conversation
    # come from scalar subqueries. The other side's profiles, student and family, are joined
    # by its user id (a unique index each), so the whole list is one round trip: the profiles
    # read apart cost a second one, about half of this read's time. With the connection pool
    # the statement is prepared, so its planning is paid once per connection. Plain SQL that
    # SQLite and PostgreSQL both run; names from the models' metadata, every value bound.
    proposal, program, application, user, station = (
        model._meta.db_table for model in (Proposal, Program, Application, User, Station)
    )
    conversation = Proposal._meta.get_field("conversation").related_model._meta.db_table
    quote = connection.ops.quote_name
    other = (
        f"(SELECT o.user_id FROM {application} o WHERE o.id = CASE "  # noqa: S608
        "WHEN mine.id = p.host_application_id "
        "THEN p.student_application_id ELSE p.host_application_id END)"
    )
    columns, joins = [], []
    for alias, (model, shape) in zip(("sp", "hp"), _JOINED, strict=True):
        columns += [
            f"{alias}.{quote(model._meta.get_field(name).column)}"
            for name in shape._fields[:-_STATION_NAMES]
        ]
        columns += [
            f"(SELECT st.{name} FROM {station} st WHERE st.slug = {alias}.home_station_id)"  # noqa: S608
            for name in ("name_ja", "name_en")
        ]
        joins.append(f"LEFT JOIN {model._meta.db_table} {alias} ON {alias}.user_id = {other}")
    return f"""
        SELECT p.id, p.program_id, p.date, p.status, p.deadline, p.confirmed_at,
            p.student_answer, p.host_answer,
            CASE WHEN mine.id = p.host_application_id THEN 'host' ELSE 'student' END,
            (SELECT g.name FROM {program} g WHERE g.id = p.program_id),
            (SELECT g.kind FROM {program} g WHERE g.id = p.program_id),
            (SELECT c.id FROM {conversation} c WHERE c.proposal_id = p.id),
            {other},
            (SELECT u.name FROM {user} u WHERE u.id = {other}),
            {", ".join(columns)}
        FROM {application} mine
        JOIN {proposal} p
            ON p.student_application_id = mine.id OR p.host_application_id = mine.id
        {" ".join(joins)}
        WHERE mine.user_id = %s AND p.status <> %s
        ORDER BY p.date, p.id"""  # noqa: S608


def _joined(model: type[Model], shape: type[Joined], values: Sequence[Any]) -> Joined | None:
    """One profile of a party row (its fields, then its station's two names), or None when the
    other side has no profile of that kind (the LEFT JOIN's NULLs)."""
    if values[0] is None:  # the primary key
        return None
    return shape(*converted(model, shape._fields[:-_STATION_NAMES], values))


def party_proposals(*, user: User) -> list[PartyProposal]:
    """The caller's own published proposals (drafts are the coordinator's) as the caller sees
    them, by date: one query whatever the rows, the other side's profiles included."""
    with connection.cursor() as cursor:
        cursor.execute(_party_sql(connection.vendor), [user.pk, Proposal.Status.DRAFT.value])
        rows = cursor.fetchall()
    student_end = 14 + len(JoinedStudent._fields)
    found = []
    for row in rows:
        (
            pk,
            program_id,
            day,
            status,
            deadline,
            confirmed_at,
            student_answer,
            host_answer,
            side,
            program_name,
            kind,
            conversation,
            other_id,
            other_name,
        ) = row[:14]
        host_side = side == "host"
        found.append(
            PartyProposal(
                id=pk,
                program=program_id,
                program_name=program_name,
                date=stored_date(day),
                status=status,
                side=side,
                counterpart=_counterpart_view(
                    kind=kind,
                    viewer_is_host_side=host_side,
                    confirmed=status == Proposal.Status.CONFIRMED,
                    other_id=other_id,
                    other_name=other_name,
                    # Converted only where the privacy rule shows them.
                    student_profile=functools.partial(
                        _joined, StudentProfile, JoinedStudent, row[14:student_end]
                    ),
                    host_profile=functools.partial(
                        _joined, HostProfile, JoinedHost, row[student_end:]
                    ),
                ),
                deadline=stored_datetime(deadline) if deadline is not None else None,
                conversation=conversation,
                my_answer=host_answer if host_side else student_answer,
                their_answer=student_answer if host_side else host_answer,
                confirmed_at=(stored_datetime(confirmed_at) if confirmed_at is not None else None),
            )
        )
    return found


def proposals_for_program(*, program_id: int, status: str | None = None) -> QuerySet[Proposal]:
    """A programme's proposals for its coordinators (drafts included only when asked for by
    status). Query count: one, whatever the rows."""
    rows = _base().filter(program_id=program_id)
    rows = rows.filter(status=status) if status else rows.exclude(status=Proposal.Status.DRAFT)
    return rows.order_by("date", "id")


def waiting_for(proposal: Proposal) -> list[str]:
    """The sides that have not answered an open proposal."""
    if proposal.status not in Proposal.OPEN:
        return []
    return [
        side
        for side, answer in (("student", proposal.student_answer), ("host", proposal.host_answer))
        if not answer
    ]


def proposal_events(*, proposal_id: int) -> QuerySet[ProposalEvent]:
    """The audit trail of one proposal, oldest first, with actor and party loaded."""
    return (
        ProposalEvent.objects.filter(proposal_id=proposal_id)
        .select_related("actor", "on_behalf_of")
        .order_by("created_at", "id")
    )


def proposal_feedback(*, proposal_id: int) -> QuerySet[Feedback]:
    return Feedback.objects.filter(proposal_id=proposal_id).select_related("author")


@dataclass(frozen=True)
class HostRating:
    mean: float
    count: int


def host_ratings(*, user_ids: list[int]) -> dict[int, HostRating]:
    """The mean rating students gave each family (by the family's user id), for coordinators
    reviewing a round. Families without feedback are absent. One query."""
    # Only the students' ratings of the family, not the family's own of the student.
    rows = Feedback.objects.filter(proposal__host_application__user_id__in=user_ids).exclude(
        author_id=F("proposal__host_application__user_id")
    )
    result: dict[int, HostRating] = {}
    for row in rows.values("proposal__host_application__user_id").annotate(
        mean=Avg("rating"), count=Count("id")
    ):
        result[row["proposal__host_application__user_id"]] = HostRating(
            mean=round(float(row["mean"]), 2), count=row["count"]
        )
    return result


def pairs_never_again(*, user_ids: list[int] | None = None) -> set[tuple[int, int]]:
    """(student user id, family user id) pairs that must never be proposed again: a declined
    proposal, or feedback from either side rating it ``BAD_RATING`` or lower or saying it would
    not meet again. Limited to pairs involving ``user_ids`` when given. Two queries."""
    declined = Proposal.objects.filter(status=Proposal.Status.DECLINED)
    flagged = Feedback.objects.filter(Q(rating__lte=BAD_RATING) | Q(would_meet_again=False))
    if user_ids is not None:
        declined = declined.filter(
            Q(student_application__user_id__in=user_ids) | Q(host_application__user_id__in=user_ids)
        )
        flagged = flagged.filter(
            Q(proposal__student_application__user_id__in=user_ids)
            | Q(proposal__host_application__user_id__in=user_ids)
        )
    pairs = set(declined.values_list("student_application__user_id", "host_application__user_id"))
    pairs |= set(
        flagged.values_list(
            "proposal__student_application__user_id", "proposal__host_application__user_id"
        )
    )
    return pairs
