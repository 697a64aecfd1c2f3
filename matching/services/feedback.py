"""Feedback after a visit: each side of a confirmed proposal, once, after the visit day."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Feedback, Proposal
from matching.selectors.attendance import Outcome, Side, visit_outcome, visit_records
from matching.services.proposals import ProposalConflict, ProposalNotFound


def feedback_asked(*, proposal: Proposal, by: User) -> bool:
    """Feedback is asked only for a visit that was held: not when its settled outcome, or
    (while unsettled) the asker's own record, says it did not take place."""
    records = visit_records(proposal_ids=[proposal.pk]).get(proposal.pk, {})
    side = Side.STUDENT if by.pk == proposal.student_application.user_id else Side.HOST
    known = visit_outcome(records) or records.get(side)
    return known in (None, Outcome.HELD)


def feedback_leave(
    *, proposal_id: int, by: User, rating: int, would_meet_again: bool, comment: str = ""
) -> Feedback:
    """The student or the family of a confirmed proposal leaves feedback, once, after the
    visit day. The comment is for coordinators only. The values are clean: the serializer or
    the form checked them against the model's limits.

    The unique (proposal, author) row backs "once" against a double submit. Raises
    ProposalNotFound (not a party), ProposalConflict (not confirmed, the visit is still to
    come, did not take place, or already given)."""
    proposal = (
        Proposal.objects.select_related("student_application", "host_application")
        .filter(pk=proposal_id)
        .exclude(status=Proposal.Status.DRAFT)
        .first()
    )
    if proposal is None or by.pk not in (
        proposal.student_application.user_id,
        proposal.host_application.user_id,
    ):
        raise ProposalNotFound
    if proposal.status != Proposal.Status.CONFIRMED:
        raise ProposalConflict(_("Feedback is for confirmed visits only."))
    if proposal.date >= timezone.localdate():
        raise ProposalConflict(_("You can leave feedback once the visit day has passed."))
    if not feedback_asked(proposal=proposal, by=by):
        raise ProposalConflict(_("Feedback is for visits that took place."))
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                proposal=proposal,
                author=by,
                rating=rating,
                comment=comment,
                would_meet_again=would_meet_again,
            )
    except IntegrityError as exc:
        raise ProposalConflict(_("You have already left feedback on this visit.")) from exc
