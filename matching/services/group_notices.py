"""What a student is told about visiting together (``matching.services.groups``): an e-mail
through the one e-mail path (``Delivery`` rows, sent by ``matching.delivery_send``) and an
event on their notification stream, both in the student's language, both on commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from accounts.models import User
from matching.models import Delivery, GroupRequest
from matching.notifications import live_notify
from matching.services.deliveries import Email, delivery_enqueue, recipient_language

KINDS = (
    Delivery.Kind.GROUP_INVITED,
    Delivery.Kind.GROUP_CONFIRMED,
    Delivery.Kind.GROUP_ENDED,
)
LIVE_TYPES: dict[str, str] = {
    Delivery.Kind.GROUP_INVITED: "group.invited",
    Delivery.Kind.GROUP_CONFIRMED: "group.confirmed",
    Delivery.Kind.GROUP_ENDED: "group.ended",
}
_RELATED = ("program", "inviter__user", "invitee__user")


def _context(request: GroupRequest, recipient: User, kind: str) -> dict[str, Any]:
    """What the templates show ``recipient`` (one of the two students): the other student's
    name, the programme's name and its page. Call under the recipient's language."""
    inviter, invitee = request.inviter.user, request.invitee.user
    other = invitee if recipient.pk == inviter.pk else inviter
    path = reverse("frontend:program_apply", kwargs={"program_id": request.program_id})
    return {
        "kind": kind,
        "status": request.status,
        "name": recipient.name,
        # Japanese adds an honorific to a person's name (as the proposal e-mails do).
        "other": pgettext("a person named in an e-mail", "%(name)s") % {"name": other.name},
        "program_name": request.program.display_name,
        "url": settings.SITE_URL.rstrip("/") + path,
        "path": path,
    }


def _live_event(request: GroupRequest, recipient: User, kind: str) -> dict[str, Any]:
    """The notification-stream event, already in the recipient's language: the e-mail's
    subject as its title, and the programme's page to open."""
    with translation.override(recipient_language(recipient)):
        context = _context(request, recipient, kind)
        title = render_to_string("matching/email/group_subject.txt", context).strip()
    return {
        "kind": LIVE_TYPES[kind],
        "group_request": request.pk,
        "program": request.program_id,
        "title": title,
        "url": context["path"],
    }


def group_notify(*, request: GroupRequest, kind: str, recipient: User) -> Delivery | None:
    """Inside the caller's transaction: record the e-mail of ``kind`` about ``request`` to
    ``recipient`` (once per request and kind) and, on commit, send it and push the live event.
    An inactive recipient is told nothing."""
    if not recipient.is_active:
        return None
    delivery, created = Delivery.objects.get_or_create(
        kind=kind,
        program_id=request.program_id,
        user=recipient,
        key=f"group-{request.pk}",
        proposal=None,
        defaults={"payload": {"group_request": request.pk}},
    )
    live_notify(user_ids=[recipient.pk], event=_live_event(request, recipient, kind))
    if not created:
        return None
    delivery_enqueue(delivery_ids=[delivery.pk])
    return delivery


def group_email(delivery: Delivery) -> Email | None:
    """The e-mail of a delivery about visiting together (rendered under its recipient's
    language); None when the request is gone, or an invitation was answered before it left."""
    request = (
        GroupRequest.objects.select_related(*_RELATED)
        .filter(pk=delivery.payload.get("group_request"))
        .first()
    )
    if request is None:
        return None
    if (
        delivery.kind == Delivery.Kind.GROUP_INVITED
        and request.status != GroupRequest.Status.PENDING
    ):
        return None
    context = _context(request, delivery.user, delivery.kind)
    return Email(
        subject=render_to_string("matching/email/group_subject.txt", context),
        text=render_to_string("matching/email/group.txt", context),
        html=render_to_string("matching/email/group.html", context),
    )
