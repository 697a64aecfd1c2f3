"""Incidents: a student, a family or a coordinator reports a problem about a visit, and the
coordinators follow it up as a case (status, notes, follow-up date, outcome).

Who sees a case: coordinators, and its reporter (without the coordinators' notes). The other
party is never told that a case exists, let alone who opened it.

The outcomes act through the rules that already exist: "never pair these two again" is read by
``matching.selectors.rounds.pairs_never_again`` (so no round or re-offer proposes the pair), and
"suspend" deactivates the account the case is about (``accounts.services.user_deactivate``:
its tokens and sockets die) and cancels its open proposals and coming visits, as a deletion
does. A high-severity case e-mails every coordinator (``matching.services.deliveries``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Role, User
from accounts.services import user_deactivate
from matching.models import Delivery, Incident, IncidentNote, Proposal
from matching.services.deletion import proposals_cancel_for_user
from matching.services.deliveries import Email, delivery_enqueue
from matching.services.transitions import STUDENT, ProposalNotFound, require_coordinator

KIND = Delivery.Kind.INCIDENT_OPENED
# "Not given": PATCH leaves a field it does not name as it was (None clears the date).
UNSET: Any = object()


class IncidentNotFound(ObjectDoesNotExist):
    """No such case (404, as every missing row: ``config.api``)."""


def _visit_for(*, proposal_id: int, by: User) -> Proposal:
    """The published proposal the report is about, if ``by`` is one of its two people or a
    coordinator; ProposalNotFound otherwise (the same answer as a missing one)."""
    proposal = (
        Proposal.objects.select_related("student_application__user", "host_application__user")
        .exclude(status=Proposal.Status.DRAFT)
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ProposalNotFound
    if by.role != Role.COORDINATOR and by.pk not in (
        proposal.student_application.user_id,
        proposal.host_application.user_id,
    ):
        raise ProposalNotFound
    return proposal


def _subject(proposal: Proposal, by: User, about: str) -> User:
    """Whom the report is about: the other party for a party; the side a coordinator names."""
    student, host = proposal.student_application.user, proposal.host_application.user
    if by.pk == student.pk:
        return host
    if by.pk == host.pk:
        return student
    if not about:
        raise ValidationError(
            {"about": [_("Say whether the report is about the student or the family.")]}
        )
    return student if about == STUDENT else host


def _coordinators() -> list[User]:
    return list(User.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("id"))


@transaction.atomic
def incident_report(
    *,
    by: User,
    proposal_id: int,
    category: str,
    severity: str,
    description: str,
    about: str = "",
    source: str = Incident.Source.FORM,
) -> Incident:
    """Open a case about the visit ``proposal_id`` (clean values: the serializer or form
    checked the choices and lengths). ``about`` (``student`` or ``host``) is needed from a
    coordinator only; a party's report is about the other party.

    Locks nothing (a new row). On commit, for a high-severity case: one e-mail to every active
    coordinator. Raises ProposalNotFound (not a party), ValidationError (``about``,
    ``description``)."""
    proposal = _visit_for(proposal_id=proposal_id, by=by)
    if not description.strip():
        raise ValidationError({"description": [_("Say what happened.")]})
    incident = Incident.objects.create(
        proposal=proposal,
        reporter=by,
        subject=_subject(proposal, by, about),
        category=category,
        severity=severity,
        description=description,
        source=source,
    )
    if severity == Incident.Severity.HIGH:
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                kind=KIND,
                proposal=proposal,
                user=user,
                key=f"incident-{incident.pk}",
                payload={"incident": incident.pk},
            )
            for user in _coordinators()
        )
        delivery_enqueue(delivery_ids=[d.pk for d in deliveries])
    return incident


def incident_from_chat_report(*, reporter: User, proposal_id: int, reason: str) -> Incident:
    """A chat report opens a case too: a conduct case of medium severity about the visit the
    conversation belongs to, what happened being the report's reason (chat calls this)."""
    return incident_report(
        by=reporter,
        proposal_id=proposal_id,
        category=Incident.Category.CONDUCT,
        severity=Incident.Severity.MEDIUM,
        description=reason,
        source=Incident.Source.CHAT,
    )


def _lock(incident_id: int) -> Incident:
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("subject")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise IncidentNotFound
    return incident


def _suspend(incident: Incident) -> None:
    subject = incident.subject
    if subject is None or not subject.is_active:
        return
    user_deactivate(user=subject)
    proposals_cancel_for_user(user=subject, reason=_("The account was suspended."))


@transaction.atomic
def incident_update(
    *,
    incident_id: int,
    by: User,
    status: str = UNSET,
    follow_up_on: dt.date | None = UNSET,
    outcome: str = UNSET,
) -> Incident:
    """A coordinator moves a case (open, in progress, closed), sets or clears its follow-up
    date, or decides its outcome; a field not given stays as it was.

    Locks the case. The outcome "suspend" deactivates the account the case is about and cancels
    its open proposals and coming visits (the other sides are told, by the cancellation
    e-mails, on commit); "never_again" is read by every later round and re-offer. Raises
    PermissionDenied, IncidentNotFound."""
    require_coordinator(by)
    incident = _lock(incident_id)
    fields = ["updated_at"]
    if status is not UNSET and status != incident.status:
        incident.status = status
        incident.closed_at = timezone.now() if status == Incident.Status.CLOSED else None
        fields += ["status", "closed_at"]
    if follow_up_on is not UNSET:
        incident.follow_up_on = follow_up_on
        fields.append("follow_up_on")
    if outcome is not UNSET and outcome != incident.outcome:
        incident.outcome = outcome
        fields.append("outcome")
        if outcome == Incident.Outcome.SUSPEND:
            _suspend(incident)
    incident.save(update_fields=fields)
    return incident


@transaction.atomic
def incident_note_add(*, incident_id: int, by: User, body: str) -> IncidentNote:
    """A coordinator adds a note to a case (never shown to its reporter). Locks the case, so
    that its ``updated_at`` says when it was last worked on. Raises PermissionDenied,
    IncidentNotFound, ValidationError (``body``)."""
    require_coordinator(by)
    if not body.strip():
        raise ValidationError({"body": [_("Write the note.")]})
    incident = _lock(incident_id)
    incident.save(update_fields=["updated_at"])
    return IncidentNote.objects.create(incident=incident, author=by, body=body)


def incident_email(delivery: Delivery) -> Email | None:
    """The e-mail to a coordinator about a high-severity case (rendered in their language); the
    case's details stay on the site, behind the log-in."""
    incident = Incident.objects.filter(pk=delivery.payload.get("incident")).first()
    if incident is None:
        return None
    context = {
        "category": incident.get_category_display(),
        "severity": incident.get_severity_display(),
        # The format the proposal e-mails use for a visit day (translated with them).
        "visit_date": formats.date_format(
            incident.proposal.date, pgettext("date in an e-mail", "l j F Y")
        ),
        "url": f"{settings.SITE_URL.rstrip('/')}/coordinator/incidents/{incident.pk}/",
    }
    return Email(
        subject=render_to_string("matching/email/incident_opened_subject.txt", context),
        text=render_to_string("matching/email/incident_opened.txt", context),
        html=render_to_string("matching/email/incident_opened.html", context),
    )
