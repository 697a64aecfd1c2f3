"""Recording what happened on a visit: the student, the family or a coordinator, from the visit
day on. The outcome it makes is ``matching.selectors.attendance.visit_outcome``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Attendance, Program
from matching.selectors.attendance import Outcome, Side, attendance_open
from matching.services.transitions import ProposalConflict, ProposalNotFound, lock_published


def attendance_record(
    *, proposal_id: int, by: User, outcome: str, note: str = "", today: dt.date | None = None
) -> Attendance:
    """The student, the family or a coordinator records what happened on a visit; a second
    record by the same side replaces its first (a coordinator's settles the outcome).

    Locks the proposal. Sends nothing (a disagreement shows on the coordinators' pages).
    Raises ProposalNotFound (not a party), ProposalConflict (never confirmed, or a language
    exchange), ValidationError naming ``outcome`` (before the visit day, or an unknown
    outcome)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Choose one of the outcomes.")]})
    today = today or timezone.localdate()
    with transaction.atomic():
        proposal = lock_published(proposal_id)
        if by.is_coordinator:
            side = Side.COORDINATOR
        elif by.pk == proposal.student_application.user_id:
            side = Side.STUDENT
        elif by.pk == proposal.host_application.user_id:
            side = Side.HOST
        else:
            raise ProposalNotFound
        if proposal.confirmed_at is None:
            raise ProposalConflict(_("Only a confirmed visit has an attendance to record."))
        if proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
            raise ProposalConflict(_("A language exchange has no visit day to record."))
        if not attendance_open(proposal, today=today):
            raise ValidationError(
                {"outcome": [_("You can record what happened from the visit day on.")]}
            )
        record, _created = Attendance.objects.update_or_create(
            proposal=proposal,
            side=side,
            defaults={"outcome": outcome, "note": note, "recorded_by": by},
        )
    return record
