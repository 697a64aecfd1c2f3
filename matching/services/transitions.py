"""What every transition of a published proposal shares: the errors, the lock, the audit
record, the seat release and the cancellation (answers, coordinators, deadlines and account
deletion all cancel or move proposals through these).

Locks, always taken in this order so that no two paths wait on each other in a cycle:
programme → round → (student application → host day) for publishing; proposal → host day for
every later transition. ``HostDay.seats_taken`` moves only under those locks and the database's
``hostday_never_overfull`` check backs it; ``proposal_one_live_per_student`` backs "one live
proposal per student application".

Every transition writes a ``ProposalEvent`` (who, on whose behalf, why) and sends its e-mails,
tasks and live events on commit only (``matching.notifications.proposal_notify``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import Role, User
from matching.models import Delivery, HostDay, Proposal, ProposalEvent
from matching.notifications import proposal_notify
from matching.signals import match_cancelled

STUDENT, HOST = "student", "host"
ACCEPT, DECLINE = "accept", "decline"


# What the transitions and the e-mails they record read; joined once, never per row.
NOTIFY_RELATED = (
    "program",
    "student_application__user__student_profile",
    "host_application__user__host_profile__home_station",
)


class ProposalNotFound(Exception):
    """No such proposal for this user: missing, a draft, or the user is not a party (404)."""


class ProposalConflict(Exception):
    """The proposal's state does not allow this (409). ``str()`` is a translated sentence."""


def require_coordinator(user: User) -> None:
    if user.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may do this."))


def reason_required(reason: str) -> None:
    """A coordinator's act names its reason: the audit trail (and a cancellation's e-mail)
    shows it. Its length is the model's (``ProposalEvent.reason``), checked at the edge."""
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})


def parties(proposal: Proposal) -> list[User]:
    return [proposal.student_application.user, proposal.host_application.user]


def lock_published(proposal_id: int) -> Proposal:
    """The published proposal, locked (its own row only: the joined rows stay unlocked)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related(*NOTIFY_RELATED)
        .exclude(status=Proposal.Status.DRAFT)
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ProposalNotFound
    return proposal


def record_transition(
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


def seat_release(proposal: Proposal) -> None:
    """The proposal's seat is free again; on commit it is offered to the next student when
    the programme's re-offer rule says so (``matching.services.reoffers``)."""
    # A single UPDATE takes the host day's row lock; the guard keeps a count that a bug had
    # already moved from going negative.
    HostDay.objects.filter(
        application_id=proposal.host_application_id, date=proposal.date, seats_taken__gt=0
    ).update(seats_taken=F("seats_taken") - 1)
    # Imported here: the re-offer service records its proposals through this module.
    from matching.services.reoffers import reoffer_schedule

    reoffer_schedule(proposal=proposal)


def closed_message(proposal: Proposal) -> str:
    messages: dict[str, str] = {
        Proposal.Status.CONFIRMED: _("This proposal is already confirmed."),
        Proposal.Status.DECLINED: _("This proposal was declined."),
        Proposal.Status.EXPIRED: _("This proposal has expired."),
        Proposal.Status.CANCELLED: _("This proposal was cancelled."),
    }
    return messages.get(proposal.status, _("This proposal cannot be answered."))


def cancel_locked(proposal: Proposal, *, actor: User | None, reason: str) -> None:
    """Cancel a live proposal the caller has locked: seat released; a confirmed match's
    ``match_cancelled`` is sent. On commit: the cancelled e-mails and live events."""
    if proposal.status not in Proposal.LIVE:
        raise ProposalConflict(closed_message(proposal))
    was_confirmed = proposal.status == Proposal.Status.CONFIRMED
    record_transition(proposal, Proposal.Status.CANCELLED, actor=actor, reason=reason)
    seat_release(proposal)
    if was_confirmed:
        match_cancelled.send(sender=Proposal, proposal=proposal, reason=reason)
    proposal_notify(proposal=proposal, kind=Delivery.Kind.CANCELLED, recipients=parties(proposal))
