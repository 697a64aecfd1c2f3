"""What matching removes when an account is deleted (``accounts.signals.user_deleted``):
open proposals and confirmed visits still to come are cancelled (the other side is told),
active applications withdrawn, the user's free text blanked, unsent e-mails to them dropped.
Past matches, their statuses and ratings stay: the programme's numbers stay right."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import (
    Application,
    Attendance,
    Delivery,
    Feedback,
    Proposal,
    ProposalEvent,
    VisitMeeting,
)
from matching.services.transitions import cancel_locked, lock_published


def proposals_cancel_for_user(*, user: User, reason: str, actor: User | None = None) -> list[int]:
    """Cancel every open proposal of ``user`` and every confirmed one whose visit is still to
    come (account deletion, a family's suspension), recorded as done by ``actor`` (the user
    themself by default). Locks each proposal, then its host day. Returns their ids."""
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
            proposal = lock_published(proposal_id)
            if proposal.status in Proposal.LIVE:
                cancel_locked(proposal, actor=actor or user, reason=reason)
                cancelled.append(proposal_id)
    return cancelled


def user_matching_data_delete(*, user: User) -> None:
    """Remove what matching holds about ``user``, whose account is being deleted (already
    deactivated, so the cancellations e-mail only the other sides). Runs in the deleting
    transaction; locks as ``proposals_cancel_for_user``. On commit: the cancellation e-mails
    and live events."""
    with transaction.atomic():
        proposals_cancel_for_user(user=user, reason=_("The account was deleted."))
        Application.objects.filter(user=user, status=Application.Status.ACTIVE).update(
            status=Application.Status.WITHDRAWN
        )
        Feedback.objects.filter(author=user).exclude(comment="").update(comment="")
        ProposalEvent.objects.filter(actor=user).exclude(reason="").update(reason="")
        Attendance.objects.filter(recorded_by=user).exclude(note="").update(note="")
        # A family's own meeting places may name its home; the day's default stays.
        VisitMeeting.objects.filter(proposal__host_application__user=user).delete()
        Delivery.objects.filter(user=user, sent_at__isnull=True).delete()
