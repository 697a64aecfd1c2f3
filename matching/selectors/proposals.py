"""Reads of proposals for the parties, the coordinators, the pages and the next round.

The privacy rule lives here, once: a family sees what it needs to decide about a student; a
student sees the household, and its address and phone only once the match is confirmed; a
coordinator sees everything. A user who is not a party gets ``None`` (the API's 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Avg, Count, F, Q, QuerySet

from accounts.models import HostProfile, Role, StudentProfile, User
from matching.models import Feedback, Program, Proposal, ProposalEvent

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
    return {
        "id": user.pk,
        "name": user.name,
        "nationality": str(profile.nationality) if profile and profile.nationality else "",
        "gender": profile.gender if profile else "",
        "languages": profile.languages if profile else [],
        "diet": profile.diet if profile else [],
        "allergies": profile.allergies if profile else [],
        "interests": profile.interests if profile else [],
        "bio": profile.bio if profile else "",
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
    }
    if with_contact:
        data["address"] = profile.address if profile else ""
        data["phone"] = profile.phone if profile else ""
    return data


def exchange_partner_public(user: User) -> dict[str, Any]:
    """What a language-exchange partner sees of the other: languages and interests to plan
    the sessions, the station to pick a meeting place. Never an address, a phone number or
    health data, confirmed or not: partners meet in public places or online."""
    profile: StudentProfile | HostProfile | None = _student_profile(user) or _host_profile(user)
    return {
        "id": user.pk,
        "name": user.name,
        "languages": profile.languages if profile else [],
        "interests": profile.interests if profile else [],
        "station": _station(profile),
        "bio": profile.bio if profile else "",
    }


def counterpart(*, proposal: Proposal, viewer: User) -> dict[str, Any]:
    """The other party as ``viewer`` may see it (viewer must be a party)."""
    if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        other = (
            proposal.student_application.user
            if viewer.pk == proposal.host_application.user_id
            else proposal.host_application.user
        )
        return exchange_partner_public(other)
    if viewer.pk == proposal.host_application.user_id:
        return student_public(proposal.student_application.user)
    confirmed = proposal.status == Proposal.Status.CONFIRMED
    return host_public(proposal.host_application.user, with_contact=confirmed)


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
