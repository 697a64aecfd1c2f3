"""Reads of proposals for the parties, the coordinators and the pages.

The privacy rule lives here, once: a family sees what it needs to decide about a student; a
student sees the household, and its address and phone only once the match is confirmed; a
coordinator sees everything. A user who is not a party gets ``None`` (the API's 404)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, prefetch_related_objects

from accounts.models import HostProfile, Role, StudentProfile, User
from matching.models import Feedback, MeetingPoint, Program, Proposal, ProposalEvent
from matching.selectors.exchange import ExchangePairing, exchange_pairings
from matching.selectors.meeting import Meeting, PointKey, meeting_of, meeting_points

_RELATED = (
    "program",
    "round",
    "student_application__user__student_profile__home_station",
    "host_application__user__host_profile__home_station",
    # In a language exchange either side may be a student or a family.
    "student_application__user__host_profile__home_station",
    "host_application__user__student_profile__home_station",
    # The confirmed pair's chat (chat.Conversation's one-to-one, related name "conversation"),
    # whose id the parties' lists link to.
    "conversation",
    # The family's own meeting time and place, when it chose one.
    "meeting_change",
)


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(*_RELATED)


def conversation_id(proposal: Proposal) -> int | None:
    """The id of the proposal's conversation (loaded by this module's querysets), or None."""
    try:
        return proposal.conversation.pk
    except ObjectDoesNotExist:  # not confirmed yet
        return None


# What a party's list shows: the proposal's own columns, the programme's name (in each
# language) and kind, the conversation's id, and the other side's user with only the profile
# fields ``counterpart`` reads. The users come by one prefetch, not as 12 more joined tables:
# compiling and building that wide joined row cost more than the small second query.
_PARTY_FIELDS = (
    "program__name",
    "program__translations",
    "program__kind",
    # A language exchange's directions are stored with its round (``exchange_pairings``).
    "round",
    "date",
    "status",
    "deadline",
    "student_application__user",
    "host_application__user",
    "student_answer",
    "host_answer",
    "confirmed_at",
    "conversation__id",
    "meeting_change__time",
    "meeting_change__place",
)
_STATION = ("slug", "name_ja", "name_en")
_COUNTERPART_FIELDS = (
    "name",
    "role",
    *(
        f"student_profile__{name}"
        for name in (
            *("gender", "nationality", "languages", "diet", "allergies", "interests", "bio"),
            *("needs_step_free", "needs_alcohol_free", "needs_prayer_space"),
            *(f"home_station__{field}" for field in _STATION),
        )
    ),
    *(
        f"host_profile__{name}"
        for name in (
            *("household_name", "household_size", "has_children", "languages", "pets"),
            *("smoking", "interests", "address", "phone", "bio"),
            *("easy_japanese", "step_free", "alcohol_free", "prayer_space"),
            *(f"home_station__{field}" for field in _STATION),
        )
    ),
)


def _party_users() -> QuerySet[User]:
    return User.objects.select_related(
        "student_profile__home_station", "host_profile__home_station"
    ).only(*_COUNTERPART_FIELDS)


def _parties_of(user: User) -> Q:
    return Q(student_application__user=user) | Q(host_application__user=user)


def proposals_for_user(*, user: User) -> list[Proposal]:
    """The caller's own published proposals (drafts are the coordinator's), newest date last,
    loaded for the lists (``counterpart``, ``side_of``, ``waiting_for``, the programme's name).
    Two queries whatever the rows: the rows, then the other sides' users with their profiles
    (the caller's own side is not loaded: it is the caller)."""
    rows = list(
        Proposal.objects.select_related(
            "program", "conversation", "student_application", "host_application", "meeting_change"
        )
        .only(*_PARTY_FIELDS)
        .exclude(status=Proposal.Status.DRAFT)
        .filter(_parties_of(user))
        .order_by("date", "id")
    )
    # Only the other side's user is read (the caller's side is compared by id).
    others = [
        p.host_application if p.student_application.user_id == user.pk else p.student_application
        for p in rows
    ]
    prefetch_related_objects(others, Prefetch("user", queryset=_party_users()))
    return rows


def proposal_for_party(*, proposal_id: int, user: User) -> Proposal | None:
    """A published proposal of which ``user`` is a party, or None (missing or not theirs)."""
    return (
        _base()
        .exclude(status=Proposal.Status.DRAFT)
        .filter(_parties_of(user), pk=proposal_id)
        .first()
    )


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


def _station(profile: StudentProfile | HostProfile | None) -> dict[str, str] | None:
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
    profile = _student_profile(user)
    nationality = profile.nationality if profile else None
    return {
        "id": user.pk,
        "name": user.name,
        "nationality": str(nationality) if nationality else "",
        "gender": profile.gender if profile else "",
        "languages": profile.languages if profile else [],
        "diet": profile.diet if profile else [],
        "allergies": profile.allergies if profile else [],
        "interests": profile.interests if profile else [],
        "bio": profile.bio if profile else "",
        # What the family needs to prepare for the day (the other wishes are already met).
        "needs_step_free": profile.needs_step_free if profile else False,
        "needs_alcohol_free": profile.needs_alcohol_free if profile else False,
        "needs_prayer_space": profile.needs_prayer_space if profile else False,
    }


def host_public(user: User, *, with_contact: bool) -> dict[str, Any]:
    """What a student sees of a proposed family; ``address`` and ``phone`` only with_contact."""
    profile = _host_profile(user)
    data: dict[str, Any] = {
        "id": user.pk,
        "household_name": (profile.household_name if profile else "") or user.name,
        "household_size": profile.household_size if profile else None,
        "has_children": profile.has_children if profile else False,
        "languages": profile.languages if profile else [],
        "pets": profile.pets if profile else [],
        "smoking": profile.smoking if profile else False,
        "station": _station(profile),
        "interests": profile.interests if profile else [],
        "bio": profile.bio if profile else "",
        "easy_japanese": profile.easy_japanese if profile else False,
        "step_free": profile.step_free if profile else False,
        "alcohol_free": profile.alcohol_free if profile else False,
        "prayer_space": profile.prayer_space if profile else False,
    }
    if with_contact:
        data["address"] = profile.address if profile else ""
        data["phone"] = profile.phone if profile else ""
    return data


def _exchange_partner_public(user: User) -> dict[str, Any]:
    """What a language-exchange partner sees of the other: languages and interests to plan
    the sessions, the station to pick a meeting place. Never an address, a phone number or
    health data, confirmed or not: partners meet in public places or online."""
    profile = _student_profile(user) or _host_profile(user)
    return {
        "id": user.pk,
        "name": user.name,
        "languages": profile.languages if profile else [],
        "interests": profile.interests if profile else [],
        "station": _station(profile),
        "bio": profile.bio if profile else "",
    }


def counterpart(*, proposal: Proposal, viewer: User) -> dict[str, Any]:
    """The other party as ``viewer`` (a party) may see it: the privacy rule of every party's
    view, once. A language-exchange partner never sees contact details; a family sees the
    student; a student sees the family, and its address and phone once confirmed."""
    host_side = viewer.pk == proposal.host_application.user_id
    other = proposal.student_application.user if host_side else proposal.host_application.user
    if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        return _exchange_partner_public(other)
    if host_side:
        return student_public(other)
    return host_public(other, with_contact=proposal.status == Proposal.Status.CONFIRMED)


@dataclass(frozen=True)
class PartyProposal:
    """A proposal as one of its parties sees it (API.md's ``GET /api/proposals/`` row)."""

    id: int
    program: int
    program_name: str
    kind: str  # the programme's: "home_visit" or "language_exchange"
    date: dt.date
    status: str
    side: str | None
    counterpart: dict[str, Any]
    deadline: dt.datetime | None
    conversation: int | None
    my_answer: str
    their_answer: str
    confirmed_at: dt.datetime | None
    meeting: Meeting
    # A language exchange's pairing as the viewer sees it (None for a home visit).
    exchange: ExchangePairing | None


def party_proposal(
    *,
    proposal: Proposal,
    viewer: User,
    points: Mapping[PointKey, MeetingPoint] | None = None,
    pairings: Mapping[int, ExchangePairing] | None = None,
) -> PartyProposal:
    """One proposal (loaded by this module's querysets) as its party ``viewer`` sees it; the
    days' default meetings and a language exchange's pairing are read here unless the caller
    loaded them (``meeting_points``, ``exchange_pairings``)."""
    side = side_of(proposal=proposal, user=viewer)
    key = (proposal.program_id, proposal.date)
    if points is None:
        points = meeting_points(keys=[key])
    if pairings is None:
        pairings = exchange_pairings(proposals=[proposal], viewer=viewer)
    meeting = meeting_of(proposal=proposal, viewer=viewer, point=points.get(key))
    student_side = side == "student"
    return PartyProposal(
        id=proposal.pk,
        program=proposal.program_id,
        program_name=proposal.program.name,
        kind=proposal.program.kind,
        date=proposal.date,
        status=proposal.status,
        side=side,
        counterpart=counterpart(proposal=proposal, viewer=viewer),
        deadline=proposal.deadline,
        conversation=conversation_id(proposal),
        my_answer=proposal.student_answer if student_side else proposal.host_answer,
        their_answer=proposal.host_answer if student_side else proposal.student_answer,
        confirmed_at=proposal.confirmed_at,
        meeting=meeting,
        exchange=pairings.get(proposal.pk),
    )


def party_proposals(*, user: User) -> list[PartyProposal]:
    """The caller's own published proposals as the caller sees them, by date: three queries
    whatever the rows, the other side's profiles (``proposals_for_user``) and the days'
    default meetings included; four more, whatever their number, when some are language
    exchanges (``exchange_pairings``)."""
    rows = proposals_for_user(user=user)
    points = meeting_points(keys=[(p.program_id, p.date) for p in rows])
    pairings = exchange_pairings(proposals=rows, viewer=user)
    return [party_proposal(proposal=p, viewer=user, points=points, pairings=pairings) for p in rows]


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


def feedback_given(*, user: User, proposal_ids: list[int]) -> set[int]:
    """Which of ``proposal_ids`` already have ``user``'s feedback. One query."""
    return set(
        Feedback.objects.filter(author=user, proposal_id__in=proposal_ids).values_list(
            "proposal_id", flat=True
        )
    )


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
