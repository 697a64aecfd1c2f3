"""The meeting time and place of visits: a programme's default per visit day, a family's own
for its visit (before the cut-off), and the reminder the day before.

The cut-off and the reminder share one moment: noon (Asia/Tokyo, the site's time zone) the day
before the visit (``ENGAWA_VISIT_CUTOFF_HOUR``). Until then the family may move its meeting;
from then on the day-before reminder goes out, so it always carries the final time and place."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Station, User
from matching.models import Delivery, MeetingPoint, Program, Proposal, VisitMeeting
from matching.notifications import proposal_notify
from matching.schedule import VISIT_CUTOFF_HOUR
from matching.services.transitions import (
    NOTIFY_RELATED,
    ProposalConflict,
    ProposalNotFound,
    lock_published,
    parties,
    require_coordinator,
)

CUTOFF_TIME = dt.time(VISIT_CUTOFF_HOUR, 0)
BATCH = 500


def meeting_cutoff(day: dt.date) -> dt.datetime:
    """The last moment a visit on ``day`` may change its meeting: noon the day before."""
    return timezone.make_aware(
        dt.datetime.combine(day - dt.timedelta(days=1), CUTOFF_TIME),
        timezone.get_default_timezone(),
    )


def meeting_point_set(
    *,
    program: Program,
    day: dt.date,
    time: dt.time,
    station: Station | None,
    place_ja: str,
    place_en: str,
    by: User,
) -> MeetingPoint:
    """A coordinator sets (or replaces) a programme's default meeting for one of its visit
    days. The values are clean (the form checked their shapes and lengths). Raises
    PermissionDenied (not a coordinator), ValidationError naming ``date`` (not a visit day of
    the programme)."""
    require_coordinator(by)
    if day not in program.days:
        raise ValidationError({"date": [_("This is not a visit day of the programme.")]})
    point, _created = MeetingPoint.objects.update_or_create(
        program=program,
        date=day,
        defaults={"time": time, "station": station, "place_ja": place_ja, "place_en": place_en},
    )
    return point


def meeting_change(
    *, proposal_id: int, by: User, time: dt.time, place: str, now: dt.datetime | None = None
) -> VisitMeeting:
    """The family of a confirmed visit (or a coordinator) sets the visit's own meeting time and
    place, until the cut-off (``meeting_cutoff``).

    Locks the proposal. On commit: the student (and the family, when a coordinator made the
    change) is told by e-mail, in their language, and on their live notification stream.
    Raises ProposalNotFound (not a party), PermissionDenied (the student), ProposalConflict
    (not a confirmed visit, or past the cut-off), ValidationError naming ``place`` (blank)."""
    now = now or timezone.now()
    if not place.strip():
        raise ValidationError({"place": [_("Say where to meet.")]})
    with transaction.atomic():
        proposal = lock_published(proposal_id)
        student, host = parties(proposal)
        if not by.is_coordinator and by.pk not in (student.pk, host.pk):
            raise ProposalNotFound
        if not by.is_coordinator and by.pk != host.pk:
            raise PermissionDenied(_("Only the family sets the meeting of its visit."))
        if proposal.status != Proposal.Status.CONFIRMED:
            raise ProposalConflict(_("Only a confirmed visit has a meeting to change."))
        if now >= meeting_cutoff(proposal.date):
            raise ProposalConflict(
                _(
                    "The meeting can no longer be changed this close to the visit: the day "
                    "before, it goes to both sides as a reminder."
                )
            )
        change, _created = VisitMeeting.objects.get_or_create(
            proposal=proposal, defaults={"time": time, "place": place, "changed_by": by}
        )
        change.time, change.place, change.changed_by = time, place.strip(), by
        change.changes += 1
        change.save()
        told = [student] if by.pk == host.pk else [student, host]
        proposal_notify(
            proposal=proposal,
            kind=Delivery.Kind.MEETING_CHANGED,
            recipients=told,
            key=f"change-{change.changes}",
        )
    return change


def visits_remind_tomorrow(*, now: dt.datetime | None = None, limit: int = BATCH) -> list[int]:
    """From the cut-off on (noon the day before), remind both sides of each confirmed home visit
    of the next day, with the meeting time and place, in each one's language (language-exchange
    partners arrange their meetings in the chat). The unique Delivery row sends each reminder
    once however often beat runs this. Locks with SKIP LOCKED. Returns the ids of the visits
    reminded by this run."""
    now = timezone.localtime(now or timezone.now())
    if now.time() < CUTOFF_TIME:
        return []
    tomorrow = now.date() + dt.timedelta(days=1)
    with transaction.atomic():
        due = list(
            Proposal.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*NOTIFY_RELATED)
            .filter(
                status=Proposal.Status.CONFIRMED,
                date=tomorrow,
                program__kind=Program.Kind.HOME_VISIT,
            )
            .exclude(deliveries__kind=Delivery.Kind.VISIT_REMINDER)
            .order_by("id")[:limit]
        )
        for proposal in due:
            proposal_notify(
                proposal=proposal, kind=Delivery.Kind.VISIT_REMINDER, recipients=parties(proposal)
            )
    return [proposal.pk for proposal in due]
