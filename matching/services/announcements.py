"""Announcements: a coordinator writes once (in Japanese and English) to everyone in a programme.

Used for emergency information too (a typhoon cancels a visit day), so delivery must not depend
on the coordinator's page staying open: each recipient gets one ``Delivery`` row (holding both
texts), sent on commit by the one e-mail task in that recipient's language, retried on an SMTP
failure without resending to the others. The deliveries are the record (purged with the
programme); the send is logged with its recipient count.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import Role, User
from matching.models import Application, Delivery, Program
from matching.notifications import live_notify
from matching.services.deliveries import Email, delivery_enqueue, recipient_language

logger = logging.getLogger(__name__)

# The form's limits (an announcement is stored only in its deliveries' payload).
SUBJECT_MAX = 200
BODY_MAX = 10_000
KIND = Delivery.Kind.ANNOUNCEMENT


def announcement_recipients(*, program: Program) -> list[User]:
    """Everyone with an active application in the programme, each once, active accounts only."""
    return list(
        User.objects.filter(
            is_active=True,
            applications__program=program,
            applications__status=Application.Status.ACTIVE,
        )
        .distinct()
        .order_by("id")
    )


@transaction.atomic
def announcement_send(
    *,
    program: Program,
    by: User,
    subject_ja: str,
    subject_en: str,
    body_ja: str,
    body_en: str,
) -> int:
    """Send an announcement to every active applicant of ``program``; returns how many.

    Both languages are given (clean and non-empty: the form requires them), so that each
    recipient reads it in their own. Locks nothing;
    records one ``Delivery`` per recipient. On commit: each is sent by the e-mail task
    (``matching.delivery_send``), and one ``announcement`` event goes to each recipient's live
    notification stream.
    Raises PermissionDenied unless ``by`` is a coordinator."""
    if by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may send announcements."))
    texts = {
        "subject_ja": subject_ja,
        "subject_en": subject_en,
        "body_ja": body_ja,
        "body_en": body_en,
    }
    recipients = announcement_recipients(program=program)
    # One key per announcement: each is its own e-mail, however alike the texts.
    key = uuid.uuid4().hex
    deliveries = Delivery.objects.bulk_create(
        Delivery(kind=KIND, program=program, user=user, key=key, payload=texts)
        for user in recipients
    )
    delivery_enqueue(delivery_ids=[delivery.pk for delivery in deliveries])
    _notify_live(program=program, recipients=recipients, texts=texts)
    logger.info(
        "announcement for programme %s by user %s to %d recipients",
        program.pk,
        by.pk,
        len(recipients),
    )
    return len(recipients)


def _notify_live(*, program: Program, recipients: list[User], texts: dict[str, str]) -> None:
    """Push the announcement to each recipient's open pages, in the recipient's language
    (on commit)."""
    for language in ("ja", "en"):
        user_ids = [user.pk for user in recipients if recipient_language(user) == language]
        if not user_ids:
            continue
        live_notify(
            user_ids=user_ids,
            event={
                "kind": "announcement",
                "program": program.pk,
                "title": texts[f"subject_{language}"],
                "text": texts[f"subject_{language}"],
                "body": texts[f"body_{language}"],
            },
        )


def announcement_email(delivery: Delivery) -> Email | None:
    """The e-mail of an announcement's delivery, in its recipient's language."""
    language = recipient_language(delivery.user)
    program = Program.objects.only("name").filter(deliveries=delivery).first()
    if program is None:
        return None
    context = {
        "subject": delivery.payload[f"subject_{language}"],
        "body": delivery.payload[f"body_{language}"],
        "program_name": program.name,
        "site_url": settings.SITE_URL,
    }
    return Email(
        subject=render_to_string("matching/email/announcement_subject.txt", context),
        text=render_to_string("matching/email/announcement.txt", context),
        html=render_to_string("matching/email/announcement.html", context),
    )
