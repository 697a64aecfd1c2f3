"""What happens to a published proposal: answers (by the parties, or by a coordinator on
their behalf), confirmation, cancellation. Publishing lives in ``publishing``, deadlines and
reminders in ``deadlines``, what they share (errors, locks, the audit record) in
``transitions``; this module re-exports them, so callers import every proposal write from here.

A confirmed match sends ``matching.signals.match_confirmed`` (chat opens its conversation), a
cancelled one ``match_cancelled``, both inside the transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Delivery, Proposal
from matching.notifications import proposal_notify
from matching.services.deadlines import proposal_remind, proposals_expire, proposals_remind
from matching.services.publishing import PublishResult, RoundConflict, RoundNotFound, round_publish
from matching.services.transitions import (
    ACCEPT,
    DECLINE,
    HOST,
    STUDENT,
    ProposalConflict,
    ProposalNotFound,
    cancel_locked,
    closed_message,
    lock_published,
    parties,
    reason_required,
    record_transition,
    require_coordinator,
    seat_release,
)
from matching.signals import match_confirmed

__all__ = [
    "ACCEPT",
    "DECLINE",
    "HOST",
    "STUDENT",
    "ProposalConflict",
    "ProposalNotFound",
    "PublishResult",
    "RoundConflict",
    "RoundNotFound",
    "proposal_accept",
    "proposal_answer_on_behalf",
    "proposal_cancel",
    "proposal_decline",
    "proposal_remind",
    "proposals_expire",
    "proposals_remind",
    "round_publish",
]


def _side_of(proposal: Proposal, user: User) -> str | None:
    if user.pk == proposal.student_application.user_id:
        return STUDENT
    if user.pk == proposal.host_application.user_id:
        return HOST
    return None


def _party(proposal: Proposal, side: str) -> User:
    app = proposal.student_application if side == STUDENT else proposal.host_application
    return app.user


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
        proposal = lock_published(proposal_id)
        if side is None:
            side = _side_of(proposal, actor)
            if side is None:
                raise ProposalNotFound
        party = _party(proposal, side)
        on_behalf_of = party if on_behalf else None
        if proposal.status not in Proposal.OPEN:
            raise ProposalConflict(closed_message(proposal))
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
            record_transition(
                proposal,
                Proposal.Status.DECLINED,
                actor=actor,
                on_behalf_of=on_behalf_of,
                reason=reason,
                extra_fields=answer_fields,
            )
            seat_release(proposal)
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.DECLINED, recipients=parties(proposal)
            )
        elif getattr(proposal, f"{other}_answer") == Proposal.Answer.ACCEPTED:
            proposal.confirmed_at = now
            record_transition(
                proposal,
                Proposal.Status.CONFIRMED,
                actor=actor,
                on_behalf_of=on_behalf_of,
                reason=reason,
                extra_fields=(*answer_fields, "confirmed_at"),
            )
            match_confirmed.send(sender=Proposal, proposal=proposal)
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.CONFIRMED, recipients=parties(proposal)
            )
        else:
            to_status = (
                Proposal.Status.ACCEPTED_BY_STUDENT
                if side == STUDENT
                else Proposal.Status.ACCEPTED_BY_HOST
            )
            record_transition(
                proposal,
                to_status,
                actor=actor,
                on_behalf_of=on_behalf_of,
                reason=reason,
                extra_fields=answer_fields,
            )
            proposal_notify(proposal=proposal, kind="accepted", recipients=parties(proposal))
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
    Raises ProposalNotFound, ProposalConflict."""
    return _answer(
        proposal_id=proposal_id, side=None, answer=DECLINE, actor=by, on_behalf=False, reason=reason
    )


def proposal_answer_on_behalf(
    *, proposal_id: int, by: User, side: str, answer: str, reason: str
) -> Proposal:
    """A coordinator records the answer a party gave by phone or on paper. The audit trail names
    the coordinator as the actor and the party in ``on_behalf_of``; ``reason`` (how the answer
    came) is required. ``side`` is ``STUDENT`` or ``HOST``, ``answer`` ``ACCEPT`` or
    ``DECLINE`` (the serializer or form chose them). Otherwise exactly like the party's own
    answer."""
    require_coordinator(by)
    reason_required(reason)
    return _answer(
        proposal_id=proposal_id, side=side, answer=answer, actor=by, on_behalf=True, reason=reason
    )


def proposal_cancel(*, proposal_id: int, by: User, reason: str) -> Proposal:
    """A coordinator cancels an open or confirmed proposal: seat released, conversation closed.

    Locks the proposal, then the host day. On commit: the cancelled e-mails (with the reason)
    and live events. Raises ProposalNotFound, ProposalConflict, ValidationError (``reason``),
    PermissionDenied."""
    require_coordinator(by)
    reason_required(reason)
    with transaction.atomic():
        proposal = lock_published(proposal_id)
        cancel_locked(proposal, actor=by, reason=reason)
    return proposal
