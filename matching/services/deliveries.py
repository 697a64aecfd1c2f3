"""The one way an e-mail leaves the platform: a ``Delivery`` row, sent by one Celery task.

A service records the row inside its transaction and calls ``delivery_enqueue``; on commit the
task ``matching.delivery_send`` gets the row's id. ``delivery_send`` locks the row, renders the
e-mail under the recipient's language (with the renderer registered for its kind) and marks it
sent in the same transaction, so a retried or redelivered task finds it sent and sends nothing.
Each e-mail carries a Message-ID made from the row's id: if a worker dies between the SMTP
server's "accepted" and the commit, the resent copy is the same message to the mail clients.

Renderers are registered per kind by the app that owns the kind (matching's in its
``ready()``, chat's digest in chat's), so matching never imports chat. accounts, below matching,
sends its two e-mails (the address's confirmation and the password reset) by a retrying task of
its own (``accounts.emails``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from accounts.languages import supported
from accounts.models import User
from matching.models import Delivery

logger = logging.getLogger(__name__)

# A delivery still unsent this long after it was recorded lost its task (a broker down at the
# commit, a worker gone); the periodic resend hands it over again, up to MAX_ATTEMPTS tries.
RESEND_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 12
RESEND_BATCH = 500
# Why a delivery is not sent, for good: nothing retries these.
INACTIVE = "recipient inactive"
NOTHING_TO_SEND = "nothing left to send"


@dataclass(frozen=True)
class Email:
    """A rendered e-mail: plain text with an HTML alternative, and any attachments as
    ``(filename, content, mimetype)``."""

    subject: str
    text: str
    html: str
    attachments: tuple[tuple[str, str, str], ...] = field(default=())


# Renders a delivery (called under the recipient's language); None when nothing is left to say.
Renderer = Callable[[Delivery], Email | None]
_renderers: dict[str, Renderer] = {}


def renderer_register(*, kind: str, renderer: Renderer) -> None:
    """Make ``renderer`` the one that writes the e-mails of ``kind``."""
    _renderers[kind] = renderer


def recipient_language(user: User) -> str:
    """The language a user's e-mails are written in: theirs, Japanese when unknown."""
    return supported(user.preferred_language)


def _message_id(delivery: Delivery) -> str:
    # The same for every try of a delivery; the creation time keeps it unique across databases.
    domain = urlsplit(settings.SITE_URL).hostname or "engawa.invalid"
    return f"<delivery-{delivery.pk}.{delivery.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def _message(delivery: Delivery, email: Email, language: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=" ".join(email.subject.split()),
        body=email.text,
        to=[delivery.user.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            "Message-ID": _message_id(delivery),
        },
    )
    message.attach_alternative(email.html, "text/html")
    for filename, content, mimetype in email.attachments:
        message.attach(filename, content, mimetype)
    return message


def delivery_send(*, delivery_id: int) -> bool:
    """Send one delivery unless it was sent already; True when this call sent it.

    Locks the Delivery row for the send, so two runs of the same delivery send once. An SMTP
    or network error propagates (the task retries it), leaves the row unsent and counts the
    attempt with its error. An inactive recipient or an e-mail with nothing left to say is
    not sent, and not retried (``INACTIVE``, ``NOTHING_TO_SEND``)."""
    try:
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=delivery_id)
                .first()
            )
            if delivery is None or delivery.sent_at is not None:
                return False
            if not delivery.user.is_active:
                delivery.last_error = INACTIVE
                delivery.save(update_fields=["last_error"])
                return False
            language = recipient_language(delivery.user)
            with translation.override(language):
                email = _renderers[delivery.kind](delivery)
            if email is None:
                delivery.last_error = NOTHING_TO_SEND
                delivery.save(update_fields=["last_error"])
                return False
            _message(delivery, email, language).send()
            delivery.attempts += 1
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
            delivery.save(update_fields=["attempts", "sent_at", "last_error"])
    except Exception as error:
        # The send's transaction rolled back; the failed attempt is recorded on its own.
        Delivery.objects.filter(pk=delivery_id, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, last_error=repr(error)[:1000]
        )
        raise
    return True


def _enqueue(delivery_id: int) -> None:
    from matching.tasks.deliveries import delivery_send as task

    task.delay(delivery_id)


def delivery_enqueue(*, delivery_ids: list[int]) -> None:
    """On commit, hand each delivery to the sending task (at once outside a transaction)."""
    for delivery_id in delivery_ids:
        # A named function, not a partial: Django names a failed robust callback in its log.
        def enqueue(delivery_id: int = delivery_id) -> None:
            _enqueue(delivery_id)

        # Robust: a broker that is down (or, in the eager embedded mode, an SMTP error) must
        # not turn a committed write into an error; the row stays unsent, and the periodic
        # resend hands it over again.
        transaction.on_commit(enqueue, robust=True)


def deliveries_resend_due(*, now: dt.datetime | None = None) -> list[int]:
    """Hand the sending task again every delivery still unsent ``RESEND_AFTER`` after it was
    recorded, unless it was given up or has had ``MAX_ATTEMPTS`` tries; returns their ids.
    Locks nothing: a delivery handed over twice is still sent once."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            sent_at__isnull=True,
            created_at__lte=now - RESEND_AFTER,
            attempts__lt=MAX_ATTEMPTS,
        )
        .exclude(last_error__in=(INACTIVE, NOTHING_TO_SEND))
        .order_by("id")
        .values_list("pk", flat=True)[:RESEND_BATCH]
    )
    for delivery_id in due:
        _enqueue(delivery_id)
    if due:
        logger.info("handed %d unsent deliveries to the sending task again", len(due))
    return due
