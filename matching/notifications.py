"""E-mails and live events about proposals, each in its recipient's language.

Services call ``proposal_notify`` inside their transaction. It records one ``Delivery`` row per
recipient and e-mail event (unique, so a repeated call records nothing new) and registers, on
commit only, the Celery task that sends each new row and the live event on each recipient's
notification stream. A rolled-back transition therefore sends nothing.

The task calls ``delivery_send``, which renders the e-mail from the database as it is at sending
time (plain text and an HTML alternative, from ``matching/email/<ja|en>/<kind>.*``), attaches an
``.ics`` invite to a confirmation, and marks the row sent under its row lock: two workers running
the same delivery send it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import HostProfile, StudentProfile, User
from matching.models import Delivery, Program, Proposal, ProposalEvent

logger = logging.getLogger(__name__)

# E-mail events (Delivery.Kind) plus the live-only one: a single side's acceptance.
LIVE_ONLY = ("accepted",)
LIVE_TYPES = {
    Delivery.Kind.PROPOSAL_RECEIVED: "proposal.received",
    Delivery.Kind.REMINDER: "proposal.reminder",
    Delivery.Kind.CONFIRMED: "proposal.confirmed",
    Delivery.Kind.DECLINED: "proposal.declined",
    Delivery.Kind.EXPIRED: "proposal.expired",
    Delivery.Kind.CANCELLED: "proposal.cancelled",
    "accepted": "proposal.accepted",
}
LANGUAGES = ("ja", "en")


def _language(user: User) -> str:
    return user.preferred_language if user.preferred_language in LANGUAGES else "ja"


def _student_profile(user: User) -> StudentProfile | None:
    try:
        return user.student_profile
    except StudentProfile.DoesNotExist:
        return None


def _host_profile(user: User) -> HostProfile | None:
    try:
        return user.host_profile
    except HostProfile.DoesNotExist:
        return None


def household_label(host: User) -> str:
    profile = _host_profile(host)
    return (profile.household_name if profile else "") or host.name


def _latest_reason(proposal: Proposal, status: str) -> str:
    event = (
        ProposalEvent.objects.filter(proposal=proposal, to_status=status).order_by("-id").first()
    )
    return event.reason if event else ""


def _context(*, proposal: Proposal, recipient: User, kind: str) -> dict[str, Any]:
    """What every template of ``kind`` may show to ``recipient``. Call under the recipient's
    language. The family's address and phone are only in the context of a confirmed proposal's
    student."""
    student = proposal.student_application.user
    host = proposal.host_application.user
    is_student = recipient.pk == student.pk
    host_profile = _host_profile(host)
    student_profile = _student_profile(student)
    station = host_profile.home_station if host_profile else None
    language = _language(recipient)
    context: dict[str, Any] = {
        "kind": kind,
        "recipient_name": recipient.name,
        "is_student": is_student,
        "program_name": proposal.program.name,
        "date": proposal.date,
        "deadline": timezone.localtime(proposal.deadline) if proposal.deadline else None,
        "counterpart_name": household_label(host) if is_student else student.name,
        "station": station.label(language) if station else "",
        "url": f"{settings.SITE_URL.rstrip('/')}/proposals/",
        "reason": (
            _latest_reason(proposal, Proposal.Status.CANCELLED)
            if kind == Delivery.Kind.CANCELLED
            else ""
        ),
        "address": "",
        "phone": "",
        "nationality": "",
    }
    # Only a home visit takes a student to the family's door; exchange partners never get it.
    home_visit = proposal.program.kind == Program.Kind.HOME_VISIT
    if home_visit and is_student and proposal.status == Proposal.Status.CONFIRMED and host_profile:
        context["address"] = host_profile.address
        context["phone"] = host_profile.phone
    if not is_student and student_profile and student_profile.nationality:
        context["nationality"] = student_profile.nationality.name
    return context


def _render(name: str, language: str, context: dict[str, Any]) -> str:
    return render_to_string(f"matching/email/{language}/{name}", context)


def live_event(*, proposal: Proposal, recipient: User, kind: str) -> dict[str, Any]:
    """The notification-stream event for ``recipient``, already in the recipient's language."""
    language = _language(recipient)
    with translation.override(language):
        context = _context(proposal=proposal, recipient=recipient, kind=kind)
        title = _render(f"{kind}_subject.txt", language, context).strip()
        # The summary is shared with the HTML e-mail (escaped there); a live body is plain text.
        context["summary_template"] = f"matching/email/{language}/{kind}_summary.txt"
        body = render_to_string("matching/email/plain_summary.txt", context).strip()
    return {"type": LIVE_TYPES[kind], "proposal": proposal.pk, "title": title, "body": body}


def visit_ics(*, proposal: Proposal, recipient: User) -> bytes:
    """An all-day VEVENT on the visit date: summary in the recipient's language, location the
    family's station, plus the address for the student of a confirmed proposal."""
    language = _language(recipient)
    with translation.override(language):
        context = _context(proposal=proposal, recipient=recipient, kind=Delivery.Kind.CONFIRMED)
        summary = _render("ics_summary.txt", language, context).strip()
    location = ", ".join(part for part in (context["address"], context["station"]) if part)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Engawa//Proposals//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"proposal-{proposal.pk}@engawa")
    event.add("dtstamp", timezone.now())
    day: dt.date = proposal.date
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("url", context["url"])
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def message_build(*, delivery: Delivery) -> EmailMultiAlternatives:
    """The e-mail of one delivery, rendered in its recipient's language."""
    recipient = delivery.user
    proposal = delivery.proposal
    language = _language(recipient)
    with translation.override(language):
        context = _context(proposal=proposal, recipient=recipient, kind=delivery.kind)
        subject = _render(f"{delivery.kind}_subject.txt", language, context).strip()
        text = _render(f"{delivery.kind}.txt", language, context)
        html = _render(f"{delivery.kind}.html", language, context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    if delivery.kind == Delivery.Kind.CONFIRMED:
        message.attach(
            "engawa-visit.ics",
            visit_ics(proposal=proposal, recipient=recipient).decode(),
            "text/calendar",
        )
    return message


def delivery_send(*, delivery_id: int) -> bool:
    """Send one delivery unless it was sent already; True when this call sent it.

    Locks the Delivery row, so two runs of the same task send once. An SMTP or network error
    propagates (the task retries it) and leaves the row unsent."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related(
                "user",
                "proposal__program",
                "proposal__student_application__user__student_profile",
                "proposal__host_application__user__host_profile__home_station",
            )
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.sent_at is not None:
            return False
        if not delivery.user.is_active:
            # A deleted account: nothing goes out, and nothing is left to retry.
            delivery.last_error = "recipient inactive"
            delivery.save(update_fields=["last_error"])
            return False
        message_build(delivery=delivery).send()
        delivery.attempts += 1
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "sent_at"])
    return True


def _enqueue(delivery_id: int) -> None:
    from matching.tasks.proposals import notification_deliver

    notification_deliver.delay(delivery_id)


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
        if kind in Delivery.Kind.values:
            delivery, created = Delivery.objects.get_or_create(
                kind=kind, proposal=proposal, user=recipient, key=key
            )
            if not created:
                continue
            created_rows.append(delivery)
            # Robust: a broker that is down (or, in the eager embedded mode, an SMTP error) must
            # not turn a committed answer into an error; the row stays unsent and visible.
            transaction.on_commit(partial(_enqueue, delivery.pk), robust=True)
        try:
            from chat import services as chat_services
        except ImportError:  # the chat app's services are not there yet
            continue
        if hasattr(chat_services, "notification_send"):
            event = live_event(proposal=proposal, recipient=recipient, kind=kind)
            # notification_send registers its own on_commit send.
            chat_services.notification_send(user_ids=[recipient.pk], event=event)
    return created_rows
