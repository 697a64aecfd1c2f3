"""Feedback after a visit: each side of a confirmed proposal, once, after the visit day."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Feedback, Proposal
from matching.services.proposals import ProposalConflict, ProposalNotFound

COMMENT_MAX = 4000


def _clean(rating: Any, comment: Any, would_meet_again: Any) -> tuple[int, str, bool]:
    errors: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = [_("Give a whole number from 1 to 5.")]
    if comment is None:
        comment = ""
    if not isinstance(comment, str):
        errors["comment"] = [_("Write the comment as text.")]
    elif len(comment.strip()) > COMMENT_MAX:
        errors["comment"] = [_("A comment has at most %(n)d characters.") % {"n": COMMENT_MAX}]
    if not isinstance(would_meet_again, bool):
        errors["would_meet_again"] = [_("Answer true or false.")]
    if errors:
        raise ValidationError(errors)
    return rating, comment.strip(), would_meet_again


def feedback_leave(
    *, proposal_id: int, by: User, rating: Any, comment: Any = "", would_meet_again: Any
) -> Feedback:
    """The student or the family of a confirmed proposal leaves feedback, once, after the
    visit day. The comment is for coordinators only.

    The unique (proposal, author) row backs "once" against a double submit. Raises
    ProposalNotFound (not a party), ProposalConflict (not confirmed, the visit is still to
    come, or already given), ValidationError naming the field."""
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
    rating, comment, would_meet_again = _clean(rating, comment, would_meet_again)
    if proposal.status != Proposal.Status.CONFIRMED:
        raise ProposalConflict(_("Feedback is for confirmed visits only."))
    if proposal.date >= timezone.localdate():
        raise ProposalConflict(_("You can leave feedback once the visit day has passed."))
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
