"""Retention (APPI): once a programme has been closed for ``settings.RETENTION_DAYS`` days,
what is no longer needed goes, and what coordinators still need (who met whom, ratings,
numbers) stays, without free text.

Purged: the programme's chat messages (by the receivers of ``matching.signals.program_purged``),
its incidents with their notes, feedback comments, the notes of attendance records and the
families' own meeting places, the reasons written into the audit trail, the e-mail delivery log,
and the applications that never reached a published proposal (withdrawn or never placed, with
their unplaced records and draft proposals). Kept: published proposals and their audit trail
(statuses, times, actors), ratings, attendance outcomes (each person's record), round statistics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.models import (
    Application,
    Attendance,
    Delivery,
    Feedback,
    Incident,
    Program,
    Proposal,
    ProposalEvent,
    VisitMeeting,
)
from matching.signals import program_purged


class ProgramNotDue(Exception):
    """The programme is not closed, or not for long enough, to be purged."""


@dataclass(frozen=True)
class PurgeResult:
    program_id: int
    feedback_comments: int
    event_reasons: int
    deliveries: int
    applications: int
    incidents: int


def _due_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.RETENTION_DAYS)


def program_purge(*, program_id: int, now: dt.datetime | None = None) -> PurgeResult:
    """Delete or blank what a closed programme no longer needs (see the module docstring).

    Locks the programme row (a purge never runs twice at once). Idempotent: a second call finds
    nothing left and keeps the first ``purged_at``. Raises Program.DoesNotExist, ProgramNotDue."""
    now = now or timezone.now()
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program_id)
        if (
            program.status != Program.Status.CLOSED
            or program.closed_at is None
            or program.closed_at > _due_before(now)
        ):
            raise ProgramNotDue(program_id)
        program_purged.send(sender=Program, program_id=program.pk)
        _total, purged = Incident.objects.filter(proposal__program=program).delete()
        incidents = purged.get(Incident._meta.label, 0)
        comments = (
            Feedback.objects.filter(proposal__program=program)
            .exclude(comment="")
            .update(comment="")
        )
        # What happened stays (the record later rounds score); what people wrote about it goes.
        Attendance.objects.filter(proposal__program=program).exclude(note="").update(note="")
        VisitMeeting.objects.filter(proposal__program=program).delete()
        reasons = (
            ProposalEvent.objects.filter(proposal__program=program)
            .exclude(reason="")
            .update(reason="")
        )
        deliveries, _by_model = Delivery.objects.filter(
            Q(proposal__program=program) | Q(program=program)
        ).delete()
        reached = Proposal.objects.filter(program=program).exclude(status=Proposal.Status.DRAFT)
        placed_ids = set(reached.values_list("student_application_id", flat=True)) | set(
            reached.values_list("host_application_id", flat=True)
        )
        stale = Application.objects.filter(program=program).exclude(pk__in=placed_ids)
        applications = stale.count()
        stale.delete()
        if program.purged_at is None:
            program.purged_at = now
            program.save(update_fields=["purged_at"])
    return PurgeResult(
        program_id=program.pk,
        feedback_comments=comments,
        event_reasons=reasons,
        deliveries=deliveries,
        applications=applications,
        incidents=incidents,
    )


def programs_purge_due(*, now: dt.datetime | None = None) -> list[int]:
    """Purge every programme closed for longer than the retention period and not purged yet,
    each in its own transaction. Returns their ids."""
    now = now or timezone.now()
    due = list(
        Program.objects.filter(
            status=Program.Status.CLOSED,
            closed_at__lte=_due_before(now),
            purged_at__isnull=True,
        )
        .order_by("closed_at", "id")
        .values_list("id", flat=True)
    )
    for program_id in due:
        program_purge(program_id=program_id, now=now)
    return due
