"""Publishing a round and everything that happens to its proposals afterwards: answers (by the
parties, or by a coordinator on their behalf), confirmation, cancellation, expiry, reminders.

Locks, always taken in this order so that no two paths wait on each other in a cycle:
programme → round → (student application → host day) for publishing; proposal → host day for
every later transition. ``HostDay.seats_taken`` moves only under those locks and the database's
``hostday_never_overfull`` check backs it; ``proposal_one_live_per_student`` backs "one live
proposal per student application".

Every transition writes a ``ProposalEvent`` (who, on whose behalf, why) and sends its e-mails,
tasks and live events on commit only (``matching.notifications.proposal_notify``).

Rounds of a programme that are still drafts when another round is published become
``discarded``; their proposals are left as drafts, as a record of what that run suggested. They
hold no seat and count for no constraint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from matching.models import (
    Application,
    Delivery,
    HostDay,
    Program,
    Proposal,
    ProposalEvent,
    Round,
    Unplaced,
)
from matching.notifications import proposal_notify

REASON_MAX = 2000
REMINDER_LEAD = dt.timedelta(hours=24)
BATCH = 500

STUDENT, HOST = "student", "host"
ACCEPT, DECLINE = "accept", "decline"


# What the transitions and the e-mails they record read; joined once, never per row.
_NOTIFY_RELATED = (
    "program",
    "student_application__user__student_profile",
    "host_application__user__host_profile__home_station",
)


class ProposalNotFound(Exception):
    """No such proposal for this user: missing, a draft, or the user is not a party (404)."""


class ProposalConflict(Exception):
    """The proposal's state does not allow this (409). ``str()`` is a translated sentence."""


class RoundNotFound(Exception):
    """No such round (404)."""


class RoundConflict(Exception):
    """The round cannot be published now (409). ``str()`` is a translated sentence."""


@dataclass
class PublishResult:
    round: Round
    published: list[int] = field(default_factory=list)
    # {"proposal": id, "reason": code} for each draft that could not go out.
    skipped: list[dict[str, Any]] = field(default_factory=list)


def _require_coordinator(user: User) -> None:
    if user.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may do this."))


def _clean_reason(reason: str | None, *, required: bool) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if len(text) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("A reason has at most %(n)d characters.") % {"n": REASON_MAX}]}
        )
    return text


def _parties(proposal: Proposal) -> list[User]:
    return [proposal.student_application.user, proposal.host_application.user]


def _side_of(proposal: Proposal, user: User) -> str | None:
    if user.pk == proposal.student_application.user_id:
        return STUDENT
    if user.pk == proposal.host_application.user_id:
        return HOST
    return None


def _party(proposal: Proposal, side: str) -> User:
    app = proposal.student_application if side == STUDENT else proposal.host_application
    return app.user


def _lock(proposal_id: int) -> Proposal:
    """The published proposal, locked (its own row only: the joined rows stay unlocked)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related(*_NOTIFY_RELATED)
        .exclude(status=Proposal.Status.DRAFT)
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ProposalNotFound
    return proposal


def _record(
    proposal: Proposal,
    to_status: str,
    *,
    actor: User | None,
    on_behalf_of: User | None = None,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
) -> None:
    from_status = proposal.status
    proposal.status = to_status
    proposal.save(update_fields=["status", "updated_at", *extra_fields])
    ProposalEvent.objects.create(
        proposal=proposal,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        on_behalf_of=on_behalf_of,
        reason=reason,
    )


def _seat_release(proposal: Proposal) -> None:
    # A single UPDATE takes the host day's row lock; the guard keeps a count that a bug had
    # already moved from going negative.
    HostDay.objects.filter(
        application_id=proposal.host_application_id, date=proposal.date, seats_taken__gt=0
    ).update(seats_taken=F("seats_taken") - 1)


def _closed_message(proposal: Proposal) -> str:
    messages: dict[str, str] = {
        Proposal.Status.CONFIRMED: _("This proposal is already confirmed."),
        Proposal.Status.DECLINED: _("This proposal was declined."),
        Proposal.Status.EXPIRED: _("This proposal has expired."),
        Proposal.Status.CANCELLED: _("This proposal was cancelled."),
    }
    return messages.get(proposal.status, _("This proposal cannot be answered."))


# --- Publishing ---------------------------------------------------------------------------------


def _publish_obstacle(proposal: Proposal) -> str:
    """Why a draft cannot go out now ('' when it can). Takes the student application's and the
    host day's row locks, which the caller keeps until commit."""
    student_app = Application.objects.select_for_update().get(pk=proposal.student_application_id)
    host_app = proposal.host_application
    if Application.Status.WITHDRAWN in (student_app.status, host_app.status):
        return "withdrawn"
    if not (student_app.user.is_active and host_app.user.is_active):
        return "account_deleted"
    if Proposal.objects.filter(
        student_application_id=student_app.pk, status__in=Proposal.LIVE
    ).exists():
        return "student_taken"
    day = (
        HostDay.objects.select_for_update()
        .filter(application_id=host_app.pk, date=proposal.date)
        .first()
    )
    if day is None:
        return "no_seat"
    if day.seats_taken >= day.seats:
        return "seat_taken"
    return ""


def round_publish(*, round_id: int, by: User) -> PublishResult:
    """Send a draft round's proposals to both sides.

    Locks the programme and the round (two publishes of one programme run one after the
    other), then per draft the student application and the host day. A draft whose student or
    seat has been taken since the round ran is skipped and listed in the result. Every other
    draft round of the programme becomes ``discarded``; each applicant the round left unplaced
    gets ``times_unplaced + 1`` (the next round's fairness boost). On commit: the
    proposal_received e-mails and live events.

    Raises RoundNotFound, RoundConflict (not a draft, the programme is closed, or another
    published round still has open proposals), PermissionDenied."""
    _require_coordinator(by)
    try:
        with transaction.atomic():
            return _publish_locked(round_id=round_id, by=by)
    except IntegrityError as exc:
        # A constraint refused a write under a race the locks did not foresee: nothing was
        # stored, and the coordinator is told to look again (409, never a 500).
        raise RoundConflict(
            _("The proposals changed while publishing; review the round and try again.")
        ) from exc


def _publish_locked(*, round_id: int, by: User) -> PublishResult:
    # The programme first, then the round: a publish also discards the programme's other draft
    # rounds, so two publishes that each locked their own round first would deadlock.
    program_id = Round.objects.filter(pk=round_id).values_list("program_id", flat=True).first()
    if program_id is None:
        raise RoundNotFound
    program = Program.objects.select_for_update().get(pk=program_id)
    rnd = Round.objects.select_for_update().get(pk=round_id)
    if rnd.status != Round.Status.DRAFT:
        raise RoundConflict(
            _("Only a draft round can be published; this one is %(status)s.")
            % {"status": rnd.get_status_display()}
        )
    if program.status != Program.Status.OPEN:
        raise RoundConflict(_("This programme is closed."))
    if (
        Proposal.objects.filter(program=program, status__in=Proposal.OPEN)
        .exclude(round=rnd)
        .exists()
    ):
        raise RoundConflict(
            _("Another round of this programme is published and still has open proposals.")
        )
    now = timezone.now()
    deadline = now + dt.timedelta(hours=program.response_hours)
    result = PublishResult(round=rnd)
    drafts = list(
        rnd.proposals.filter(status=Proposal.Status.DRAFT)
        .select_related(*_NOTIFY_RELATED)
        .order_by("-score", "id")
    )
    published: list[Proposal] = []
    for proposal in drafts:
        obstacle = _publish_obstacle(proposal)
        if obstacle:
            result.skipped.append({"proposal": proposal.pk, "reason": obstacle})
            continue
        HostDay.objects.filter(
            application_id=proposal.host_application_id, date=proposal.date
        ).update(seats_taken=F("seats_taken") + 1)
        proposal.deadline = deadline
        _record(proposal, Proposal.Status.PROPOSED, actor=by, extra_fields=("deadline",))
        published.append(proposal)
        result.published.append(proposal.pk)
    rnd.status = Round.Status.PUBLISHED
    rnd.published_at = now
    rnd.save(update_fields=["status", "published_at"])
    Round.objects.filter(program=program, status=Round.Status.DRAFT).exclude(pk=rnd.pk).update(
        status=Round.Status.DISCARDED
    )
    Application.objects.filter(
        pk__in=Unplaced.objects.filter(round=rnd).values("application_id")
    ).update(times_unplaced=F("times_unplaced") + 1)
    for proposal in published:
        proposal_notify(
            proposal=proposal,
            kind=Delivery.Kind.PROPOSAL_RECEIVED,
            recipients=_parties(proposal),
        )
    return result


# --- Answers ------------------------------------------------------------------------------------


def _answer(
    *,
    proposal_id: int,
    side: str | None,
    answer: str,
    actor: User,
    on_behalf: bool,
    reason: str,
) -> Proposal:
    with transaction.atomic():
        proposal = _lock(proposal_id)
        if side is None:
            side = _side_of(proposal, actor)
            if side is None:
                raise ProposalNotFound
        party = _party(proposal, side)
        on_behalf_of = party if on_behalf else None
        if proposal.status not in Proposal.OPEN:
            raise ProposalConflict(_closed_message(proposal))
        now = timezone.now()
        if proposal.deadline is not None and proposal.deadline <= now:
            raise ProposalConflict(_("This proposal has expired."))
        if getattr(proposal, f"{side}_answer"):
            raise ProposalConflict(_("This side has already answered this proposal."))
        setattr(
            proposal,
            f"{side}_answer",
            Proposal.Answer.ACCEPTED if answer == ACCEPT else Proposal.Answer.DECLINED,
        )
        setattr(proposal, f"{side}_answered_at", now)
        answer_fields = (f"{side}_answer", f"{side}_answered_at")
        other = HOST if side == STUDENT else STUDENT
        if answer == DECLINE:
            _record(
                proposal,
                Proposal.Status.DECLINED,
                actor=actor,
                on_behalf_of=on_behalf_of,
                reason=reason,
                extra_fields=answer_fields,
            )
            _seat_release(proposal)
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.DECLINED, recipients=_parties(proposal)
            )
        elif getattr(proposal, f"{other}_answer") == Proposal.Answer.ACCEPTED:
            proposal.confirmed_at = now
            _record(
                proposal,
                Proposal.Status.CONFIRMED,
                actor=actor,
                on_behalf_of=on_behalf_of,
                reason=reason,
                extra_fields=(*answer_fields, "confirmed_at"),
            )
            from chat import services as chat_services

            # The chat app may not be installed in this build yet; the match stands without it.
            if hasattr(chat_services, "conversation_open"):
                chat_services.conversation_open(proposal=proposal)
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.CONFIRMED, recipients=_parties(proposal)
            )
        else:
            to_status = (
                Proposal.Status.ACCEPTED_BY_STUDENT
                if side == STUDENT
                else Proposal.Status.ACCEPTED_BY_HOST
            )
            _record(
                proposal,
                to_status,
                actor=actor,
                on_behalf_of=on_behalf_of,
                reason=reason,
                extra_fields=answer_fields,
            )
            proposal_notify(proposal=proposal, kind="accepted", recipients=_parties(proposal))
    return proposal


def proposal_accept(*, proposal_id: int, by: User) -> Proposal:
    """The caller (the student or the family of the proposal) accepts it; the second acceptance
    confirms it and opens its conversation.

    Locks the proposal. On commit: confirmation e-mails (.ics attached) and live events, or a
    live ``proposal.accepted`` event. Raises ProposalNotFound (not a party), ProposalConflict
    (closed, expired, or this side has answered)."""
    return _answer(
        proposal_id=proposal_id, side=None, answer=ACCEPT, actor=by, on_behalf=False, reason=""
    )


def proposal_decline(*, proposal_id: int, by: User, reason: str = "") -> Proposal:
    """The caller declines: the proposal is ``declined`` (kept as such: the pair is never
    proposed again), the family's seat is released and both sides are free for the next round.

    Locks the proposal, then the host day. On commit: the declined e-mails and live events.
    Raises ProposalNotFound, ProposalConflict, ValidationError (``reason`` too long)."""
    text = _clean_reason(reason, required=False)
    return _answer(
        proposal_id=proposal_id, side=None, answer=DECLINE, actor=by, on_behalf=False, reason=text
    )


def proposal_answer_on_behalf(
    *, proposal_id: int, by: User, side: str, answer: str, reason: str
) -> Proposal:
    """A coordinator records the answer a party gave by phone or on paper. The audit trail names
    the coordinator as the actor and the party in ``on_behalf_of``; ``reason`` (how the answer
    came) is required. Otherwise exactly like the party's own answer."""
    _require_coordinator(by)
    errors: dict[str, list[str]] = {}
    if side not in (STUDENT, HOST):
        errors["side"] = [_("Choose student or host.")]
    if answer not in (ACCEPT, DECLINE):
        errors["answer"] = [_("Choose accept or decline.")]
    try:
        text = _clean_reason(reason, required=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return _answer(
        proposal_id=proposal_id, side=side, answer=answer, actor=by, on_behalf=True, reason=text
    )


def proposal_cancel(*, proposal_id: int, by: User, reason: str) -> Proposal:
    """A coordinator cancels an open or confirmed proposal: seat released, conversation closed.

    Locks the proposal, then the host day. On commit: the cancelled e-mails (with the reason)
    and live events. Raises ProposalNotFound, ProposalConflict, ValidationError (``reason``),
    PermissionDenied."""
    _require_coordinator(by)
    text = _clean_reason(reason, required=True)
    with transaction.atomic():
        proposal = _lock(proposal_id)
        _cancel_locked(proposal, actor=by, reason=text)
    return proposal


def _cancel_locked(proposal: Proposal, *, actor: User | None, reason: str) -> None:
    if proposal.status not in Proposal.LIVE:
        raise ProposalConflict(_closed_message(proposal))
    was_confirmed = proposal.status == Proposal.Status.CONFIRMED
    _record(proposal, Proposal.Status.CANCELLED, actor=actor, reason=reason)
    _seat_release(proposal)
    if was_confirmed:
        from chat import services as chat_services

        if hasattr(chat_services, "conversation_close_for_proposal"):
            chat_services.conversation_close_for_proposal(proposal=proposal, reason=reason)
    proposal_notify(proposal=proposal, kind=Delivery.Kind.CANCELLED, recipients=_parties(proposal))


def proposals_cancel_for_user(*, user: User, reason: str) -> list[int]:
    """Cancel every open proposal of ``user`` and every confirmed one whose visit is still to
    come (account deletion). Locks each proposal, then its host day. Returns their ids."""
    today = timezone.localdate()
    ids = list(
        Proposal.objects.filter(Q(student_application__user=user) | Q(host_application__user=user))
        .filter(Q(status__in=Proposal.OPEN) | Q(status=Proposal.Status.CONFIRMED, date__gte=today))
        .order_by("id")
        .values_list("id", flat=True)
    )
    cancelled: list[int] = []
    with transaction.atomic():
        for proposal_id in ids:
            proposal = _lock(proposal_id)
            if proposal.status in Proposal.LIVE:
                _cancel_locked(proposal, actor=user, reason=reason)
                cancelled.append(proposal_id)
    return cancelled


# --- Deadlines and reminders ----------------------------------------------------------------------


def proposals_expire(*, now: dt.datetime | None = None, limit: int = BATCH) -> list[int]:
    """Expire open proposals past their deadline: seat released, both sides free.

    Locks the due proposals with SKIP LOCKED (one being answered right now is left to its
    answer, and a second run of this task never waits on the first), then each host day. On
    commit: the expired e-mails and live events. Returns the expired ids; a second run finds
    nothing left to do."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Proposal.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*_NOTIFY_RELATED)
            .filter(status__in=Proposal.OPEN, deadline__lte=now)
            .order_by("deadline", "id")[:limit]
        )
        for proposal in due:
            _record(proposal, Proposal.Status.EXPIRED, actor=None)
            _seat_release(proposal)
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.EXPIRED, recipients=_parties(proposal)
            )
    return [p.pk for p in due]


def _waiting_sides(proposal: Proposal) -> list[User]:
    waiting = []
    if not proposal.student_answer:
        waiting.append(proposal.student_application.user)
    if not proposal.host_answer:
        waiting.append(proposal.host_application.user)
    return waiting


def _reminder_due(proposal: Proposal, now: dt.datetime) -> bool:
    # 24 h before the deadline; for an answer window of 48 h or less, half-way through it, so
    # that a reminder never arrives on the heels of the proposal itself.
    assert proposal.deadline is not None
    lead = min(REMINDER_LEAD, dt.timedelta(hours=proposal.program.response_hours) / 2)
    return proposal.deadline - lead <= now < proposal.deadline


def proposals_remind(*, now: dt.datetime | None = None, limit: int = BATCH) -> list[int]:
    """Send the one reminder of each open proposal that is 24 h from its deadline, to the sides
    that have not answered. ``reminded_at`` (and the unique Delivery row) make a second run
    send nothing. Locks with SKIP LOCKED. Returns the reminded ids."""
    now = now or timezone.now()
    reminded: list[int] = []
    with transaction.atomic():
        candidates = list(
            Proposal.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*_NOTIFY_RELATED)
            .filter(
                status__in=Proposal.OPEN,
                reminded_at__isnull=True,
                deadline__gt=now,
                deadline__lte=now + REMINDER_LEAD,
            )
            .order_by("deadline", "id")[:limit]
        )
        for proposal in candidates:
            if not _reminder_due(proposal, now):
                continue
            proposal.reminded_at = now
            proposal.save(update_fields=["reminded_at", "updated_at"])
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.REMINDER, recipients=_waiting_sides(proposal)
            )
            reminded.append(proposal.pk)
    return reminded


def proposal_remind(*, proposal_id: int, by: User) -> list[int]:
    """A coordinator sends a reminder now to the sides that have not answered (each such
    reminder is its own e-mail, even after the automatic one). Locks the proposal. Returns the
    ids of the users reminded. Raises ProposalNotFound, ProposalConflict, PermissionDenied."""
    _require_coordinator(by)
    with transaction.atomic():
        proposal = _lock(proposal_id)
        if proposal.status not in Proposal.OPEN:
            raise ProposalConflict(_closed_message(proposal))
        now = timezone.now()
        previous = (
            Delivery.objects.filter(proposal=proposal, kind=Delivery.Kind.REMINDER)
            .exclude(key="")
            .values("key")
            .distinct()
            .count()
        )
        proposal.reminded_at = now
        proposal.save(update_fields=["reminded_at", "updated_at"])
        waiting = _waiting_sides(proposal)
        proposal_notify(
            proposal=proposal,
            kind=Delivery.Kind.REMINDER,
            recipients=waiting,
            key=f"manual-{previous + 1}",
        )
    return [user.pk for user in waiting]
