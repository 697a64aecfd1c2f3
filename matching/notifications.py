"""E-mails and live events about proposals, each in its recipient's language.

Services call ``proposal_notify`` inside their transaction. It records one ``Delivery`` row per
recipient and e-mail event (unique, so a repeated call records nothing new), has the one
sending task send each new row on commit (``matching.services.deliveries``), and on commit
sends the live event for each recipient's notification stream (``signals.live_event``,
which the chat app delivers). A rolled-back transition therefore sends nothing.

The e-mail is rendered when it is sent, from the database as it is then, by one set of
templates (``matching/email/<kind>.*``) translated into the recipient's language. What the
other party's details show follows ``matching.selectors.proposals.counterpart``: the family's
address and phone reach only the student of a confirmed home visit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import pgettext

from accounts.formatting import day_label, moment_label
from accounts.models import User
from matching import signals
from matching.models import Delivery, Proposal, ProposalEvent
from matching.selectors.meeting import meeting_for
from matching.selectors.proposals import counterpart
from matching.services.deliveries import Email, delivery_enqueue, recipient_language

# E-mail events (the proposal kinds of Delivery.Kind) plus the live-only one: a single side's
# acceptance.
PROPOSAL_KINDS = (
    Delivery.Kind.PROPOSAL_RECEIVED,
    Delivery.Kind.REMINDER,
    Delivery.Kind.CONFIRMED,
    Delivery.Kind.DECLINED,
    Delivery.Kind.EXPIRED,
    Delivery.Kind.CANCELLED,
    Delivery.Kind.VISIT_REMINDER,
    Delivery.Kind.MEETING_CHANGED,
)
LIVE_TYPES = {
    Delivery.Kind.PROPOSAL_RECEIVED: "proposal.received",
    Delivery.Kind.REMINDER: "proposal.reminder",
    Delivery.Kind.CONFIRMED: "proposal.confirmed",
    Delivery.Kind.DECLINED: "proposal.declined",
    Delivery.Kind.EXPIRED: "proposal.expired",
    Delivery.Kind.CANCELLED: "proposal.cancelled",
    Delivery.Kind.VISIT_REMINDER: "visit.reminder",
    Delivery.Kind.MEETING_CHANGED: "visit.meeting_changed",
    "accepted": "proposal.accepted",
}
_RELATED = (
    "program",
    "student_application__user__student_profile__home_station",
    "host_application__user__host_profile__home_station",
    "student_application__user__host_profile__home_station",
    "host_application__user__student_profile__home_station",
    "meeting_change",
)
# How long a visit lasts in the calendar, from the meeting time.
VISIT_LENGTH = dt.timedelta(hours=6)
# The e-mails about a confirmed visit link to its page; the others to the proposals.
VISIT_KINDS = (
    Delivery.Kind.CONFIRMED,
    Delivery.Kind.VISIT_REMINDER,
    Delivery.Kind.MEETING_CHANGED,
)


def _latest_reason(proposal: Proposal, status: str) -> str:
    event = (
        ProposalEvent.objects.filter(proposal=proposal, to_status=status).order_by("-id").first()
    )
    return event.reason if event else ""


def _person(name: str) -> str:
    # Japanese adds an honorific to a person's name (never to a household's).
    return pgettext("a person named in an e-mail", "%(name)s") % {"name": name}


def _context(*, proposal: Proposal, recipient: User, kind: str) -> dict[str, Any]:
    """What every template of ``kind`` may show to ``recipient`` (a party). Call under the
    recipient's language. The other party is what ``counterpart`` lets the recipient see."""
    student = proposal.student_application.user
    is_student = recipient.pk == student.pk
    other = counterpart(proposal=proposal, viewer=recipient)
    # The visit's place is the family's station, as the student's view of the family shows it.
    place = other if is_student else counterpart(proposal=proposal, viewer=student)
    station = place.get("station")
    household = other.get("household_name")
    meeting = meeting_for(proposal=proposal, viewer=recipient)
    site = settings.SITE_URL.rstrip("/")
    return {
        "kind": kind,
        "recipient_name": recipient.name,
        "is_student": is_student,
        "program_name": proposal.program.display_name,
        "day": day_label(proposal.date),
        "deadline": moment_label(proposal.deadline) if proposal.deadline else "",
        "counterpart_name": household or _person(other["name"]),
        "station": station["name"] if station else "",
        "url": (f"{site}/visits/{proposal.pk}/" if kind in VISIT_KINDS else f"{site}/proposals/"),
        "meeting": meeting,
        "meeting_time": meeting.time.strftime("%H:%M") if meeting.time else "",
        "reason": (
            _latest_reason(proposal, Proposal.Status.CANCELLED)
            if kind == Delivery.Kind.CANCELLED
            else ""
        ),
        "address": other.get("address", ""),
        "phone": other.get("phone", ""),
        "summary_template": f"matching/email/{kind}_summary.txt",
    }


def _render(name: str, context: dict[str, Any]) -> str:
    return render_to_string(f"matching/email/{name}", context)


def live_event(*, proposal: Proposal, recipient: User, kind: str) -> dict[str, Any]:
    """The notification-stream event for ``recipient``, already in the recipient's language."""
    with translation.override(recipient_language(recipient)):
        context = _context(proposal=proposal, recipient=recipient, kind=kind)
        title = _render(f"{kind}_subject.txt", context).strip()
        # The summary is shared with the HTML e-mail (escaped there); a live body is plain text.
        body = _render("plain_summary.txt", context).strip()
    return {"kind": LIVE_TYPES[kind], "proposal": proposal.pk, "title": title, "body": body}


def _ics_location(context: dict[str, Any]) -> str:
    # The meeting place first (where the day starts), then the address the recipient may see.
    meeting = context["meeting"]
    where = [meeting.place, meeting.station] if meeting.place or meeting.station else []
    where = where or [context["station"]]
    return ", ".join(part for part in (*where, context["address"]) if part)


def visit_ics(*, proposal: Proposal, recipient: User) -> bytes:
    """A VEVENT for the visit: from the meeting time (Asia/Tokyo) for ``VISIT_LENGTH``, or the
    whole day while no time is set; summary in the recipient's language; location the meeting
    place, plus the address when ``counterpart`` shows it; the visit page's link on SITE_URL."""
    with translation.override(recipient_language(recipient)):
        context = _context(proposal=proposal, recipient=recipient, kind=Delivery.Kind.CONFIRMED)
        summary = _render("ics_summary.txt", context).strip()
    location = _ics_location(context)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Engawa//Proposals//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"proposal-{proposal.pk}@engawa")
    event.add("dtstamp", timezone.now())
    day: dt.date = proposal.date
    meeting_time = context["meeting"].time
    if meeting_time is None:
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
    else:
        start = dt.datetime.combine(day, meeting_time, tzinfo=timezone.get_default_timezone())
        event.add("dtstart", start)
        event.add("dtend", start + VISIT_LENGTH)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("url", context["url"])
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def proposal_email(delivery: Delivery) -> Email | None:
    """The e-mail of a proposal's delivery (rendered under its recipient's language)."""
    proposal = Proposal.objects.select_related(*_RELATED).filter(deliveries=delivery).first()
    if proposal is None:
        return None
    recipient = delivery.user
    context = _context(proposal=proposal, recipient=recipient, kind=delivery.kind)
    attachments: tuple[tuple[str, str, str], ...] = ()
    if delivery.kind == Delivery.Kind.CONFIRMED:
        invite = visit_ics(proposal=proposal, recipient=recipient).decode()
        attachments = (("engawa-visit.ics", invite, "text/calendar"),)
    return Email(
        subject=_render(f"{delivery.kind}_subject.txt", context),
        text=_render(f"{delivery.kind}.txt", context),
        html=_render(f"{delivery.kind}.html", context),
        attachments=attachments,
    )


def live_notify(*, user_ids: list[int], event: dict[str, Any]) -> None:
    """On commit, hand ``event`` to the users' live notification streams (whoever listens)."""

    def send() -> None:
        signals.live_event.send(sender=None, user_ids=user_ids, event=event)

    # Robust: the write has committed; a stream that fails must not make it an error.
    transaction.on_commit(send, robust=True)


def proposal_notify(
    *, proposal: Proposal, kind: str, recipients: list[User], key: str = ""
) -> list[Delivery]:
    """Inside the caller's transaction: record the e-mail of ``kind`` to each recipient (once
    per event) and, on commit, send it through Celery and push the live event. Returns the
    deliveries created by this call (empty when they existed already)."""
    created_rows: list[Delivery] = []
    for recipient in recipients:
        if not recipient.is_active:
            continue
        if kind in PROPOSAL_KINDS:
            delivery, created = Delivery.objects.get_or_create(
                kind=kind, proposal=proposal, user=recipient, key=key
            )
            if not created:
                continue
            created_rows.append(delivery)
            delivery_enqueue(delivery_ids=[delivery.pk])
        event = live_event(proposal=proposal, recipient=recipient, kind=kind)
        live_notify(user_ids=[recipient.pk], event=event)
    return created_rows
