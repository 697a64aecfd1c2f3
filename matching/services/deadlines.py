"""Deadlines and reminders of published proposals: what the periodic tasks run, and the
reminder a coordinator sends by hand."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from matching.models import Delivery, Proposal
from matching.notifications import proposal_notify
from matching.services.transitions import (
    NOTIFY_RELATED,
    ProposalConflict,
    closed_message,
    lock_published,
    parties,
    record_transition,
    require_coordinator,
    seat_release,
)

REMINDER_LEAD = dt.timedelta(hours=24)
BATCH = 500


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
            .select_related(*NOTIFY_RELATED)
            .filter(status__in=Proposal.OPEN, deadline__lte=now)
            .order_by("deadline", "id")[:limit]
        )
        for proposal in due:
            record_transition(proposal, Proposal.Status.EXPIRED, actor=None)
            seat_release(proposal)
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.EXPIRED, recipients=parties(proposal)
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
            .select_related(*NOTIFY_RELATED)
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
    require_coordinator(by)
    with transaction.atomic():
        proposal = lock_published(proposal_id)
        if proposal.status not in Proposal.OPEN:
            raise ProposalConflict(closed_message(proposal))
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
