"""Announcements: a coordinator writes once (in Japanese and English) to everyone in a programme.

Used for emergency information too (a typhoon cancels a visit day), so delivery must not depend
on the coordinator's page staying open: each recipient gets one Celery task, enqueued on commit,
that sends the e-mail in that recipient's preferred language and retries on an SMTP failure
without resending to the others. Announcements are not stored: the e-mails are the record, and
the send is logged with its recipient count.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from chat.services import notification_send
from matching.models import Application, Program
from matching.tasks.announcements import announcement_email_send

logger = logging.getLogger(__name__)

SUBJECT_MAX = 200
BODY_MAX = 10_000


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


def _check_text(errors: dict[str, list[str]], field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > limit:
        errors[field] = [
            _("At most %(limit)d characters (this has %(count)d).")
            % {"limit": limit, "count": len(value)}
        ]
    return value


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

    Both languages are required, so that each recipient reads it in their own. Locks nothing
    (it changes no row). On commit: one ``announcement_email_send`` task per recipient and one
    ``announcement`` event on each recipient's live notification stream.
    Raises PermissionDenied unless ``by`` is a coordinator, and ValidationError naming each bad
    field (nothing is sent then)."""
    if by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may send announcements."))
    errors: dict[str, list[str]] = {}
    texts = {
        "subject_ja": _check_text(errors, "subject_ja", subject_ja, SUBJECT_MAX),
        "subject_en": _check_text(errors, "subject_en", subject_en, SUBJECT_MAX),
        "body_ja": _check_text(errors, "body_ja", body_ja, BODY_MAX),
        "body_en": _check_text(errors, "body_en", body_en, BODY_MAX),
    }
    if errors:
        raise ValidationError(errors)
    recipients = announcement_recipients(program=program)
    recipient_ids = [user.pk for user in recipients]

    def deliver() -> None:
        for user_id in recipient_ids:
            announcement_email_send.delay(user_id=user_id, program_id=program.pk, **texts)

    transaction.on_commit(deliver)
    _notify_live(program=program, recipients=recipients, texts=texts)
    logger.info(
        "announcement for programme %s by user %s to %d recipients",
        program.pk,
        by.pk,
        len(recipient_ids),
    )
    return len(recipient_ids)


def _notify_live(*, program: Program, recipients: list[User], texts: dict[str, str]) -> None:
    """Push the announcement to each recipient's open pages, in the recipient's language
    (``notification_send`` itself waits for the commit)."""
    for language in ("ja", "en"):
        user_ids = [
            user.pk
            for user in recipients
            if (user.preferred_language == "ja") == (language == "ja")
        ]
        if not user_ids:
            continue
        notification_send(
            user_ids=user_ids,
            event={
                "kind": "announcement",
                "program": program.pk,
                "title": texts[f"subject_{language}"],
                "text": texts[f"subject_{language}"],
                "body": texts[f"body_{language}"],
            },
        )
