"""Publishing a draft round: its proposals go to both sides.

Rounds of a programme that are still drafts when another round is published become
``discarded``; their proposals are left as drafts, as a record of what that run suggested. They
hold no seat and count for no constraint. Lock order: see ``matching.services.transitions``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.registry.selectors import is_matchable
from matching.models import Application, Delivery, HostDay, Program, Proposal, Round, Unplaced
from matching.notifications import proposal_notify
from matching.services.transitions import (
    NOTIFY_RELATED,
    parties,
    record_transition,
    require_coordinator,
)


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


def _publish_obstacle(proposal: Proposal) -> str:
    """Why a draft cannot go out now ('' when it can). Takes the student application's and the
    host day's row locks, which the caller keeps until commit."""
    student_app = Application.objects.select_for_update().get(pk=proposal.student_application_id)
    host_app = proposal.host_application
    if Application.Status.WITHDRAWN in (student_app.status, host_app.status):
        return "withdrawn"
    if not (student_app.user.is_active and host_app.user.is_active):
        return "account_deleted"
    # A family suspended, or a standing that lapsed, since the round ran.
    if not (is_matchable(student_app.user) and is_matchable(host_app.user)):
        return "registry_status"
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
    require_coordinator(by)
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
        .select_related(*NOTIFY_RELATED)
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
        record_transition(proposal, Proposal.Status.PROPOSED, actor=by, extra_fields=("deadline",))
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
            recipients=parties(proposal),
        )
    return result
