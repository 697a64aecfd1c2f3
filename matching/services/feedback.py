"""Feedback after a visit: each side of a confirmed proposal, once, from the day its feedback
opens (``feedback_opens_on``): the day after a home visit, four weeks into a language
exchange."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.formatting import day_label
from accounts.models import User
from matching.models import Feedback, Program, Proposal
from matching.selectors.attendance import Outcome, Side, visit_outcome, visit_records
from matching.selectors.proposals import feedback_given
from matching.services.proposals import ProposalConflict, ProposalNotFound

# A weekly language exchange has no last day: its partners are asked how it goes after their
# first sessions, while there is still time to help a pair that does not work.
EXCHANGE_FEEDBACK_AFTER = dt.timedelta(weeks=4)


def feedback_opens_on(proposal: Proposal) -> dt.date:
    """The first day the sides of a confirmed ``proposal`` (its programme loaded) may give
    feedback. A home visit: the day after its visit day. A language exchange: four weeks
    after the pair started, that is after the programme's start (the proposal's ``date``) or
    their confirmation, whichever came later."""
    if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        start = proposal.date
        if proposal.confirmed_at is not None:
            start = max(start, timezone.localdate(proposal.confirmed_at))
        return start + EXCHANGE_FEEDBACK_AFTER
    return proposal.date + dt.timedelta(days=1)


def _held(records: Mapping[str, str], *, proposal: Proposal, by: User) -> bool:
    side = Side.STUDENT if by.pk == proposal.student_application.user_id else Side.HOST
    known = visit_outcome(records) or records.get(side)
    return known in (None, Outcome.HELD)


def feedback_asked(*, proposal: Proposal, by: User) -> bool:
    """Feedback is asked only for a visit that was held: not when its settled outcome, or
    (while unsettled) the asker's own record, says it did not take place."""
    records = visit_records(proposal_ids=[proposal.pk]).get(proposal.pk, {})
    return _held(records, proposal=proposal, by=by)


def feedback_waiting(
    *, proposals: Sequence[Proposal], user: User, today: dt.date | None = None
) -> list[Proposal]:
    """Which of ``user``'s ``proposals`` (loaded with their programmes) wait for their
    feedback today: confirmed, open for feedback (``feedback_opens_on``), held as far as
    anyone recorded, and not answered yet. Two queries whatever the rows (none without one)."""
    today = today or timezone.localdate()
    due = [
        p
        for p in proposals
        if p.status == Proposal.Status.CONFIRMED and feedback_opens_on(p) <= today
    ]
    if not due:
        return []
    records = visit_records(proposal_ids=[p.pk for p in due])
    given = feedback_given(user=user, proposal_ids=[p.pk for p in due])
    return [
        p for p in due if p.pk not in given and _held(records.get(p.pk, {}), proposal=p, by=user)
    ]


def feedback_leave(
    *, proposal_id: int, by: User, rating: int, would_meet_again: bool, comment: str = ""
) -> Feedback:
    """The student or the family of a confirmed proposal leaves feedback, once, from the day
    it opens (``feedback_opens_on``). The comment is for coordinators only. The values are
    clean: the serializer or the form checked them against the model's limits.

    The unique (proposal, author) row backs "once" against a double submit. Raises
    ProposalNotFound (not a party), ProposalConflict (not confirmed, feedback not open yet,
    did not take place, or already given)."""
    proposal = (
        Proposal.objects.select_related("program", "student_application", "host_application")
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
    opens = feedback_opens_on(proposal)
    if timezone.localdate() < opens:
        if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
            raise ProposalConflict(
                _("You can leave feedback on this language exchange from %(day)s.")
                % {"day": day_label(opens)}
            )
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
