"""Announcements: a coordinator writes once (in Japanese, and in any other of the seven
languages) to everyone in a programme; each recipient reads the text of their language.

Used for emergency information too (a typhoon cancels a visit day), so delivery must not depend
on the coordinator's page staying open: each recipient gets one ``Delivery`` row (holding every
text), sent on commit by the one e-mail task in that recipient's language, retried on an SMTP
failure without resending to the others. The deliveries are the record (purged with the
programme); the send is logged with its recipient count.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.languages import CODES, EASY_JAPANESE, ENGLISH, JAPANESE
from accounts.models import Role, User
from accounts.reading import furigana_html
from matching.models import Application, Delivery, Program
from matching.notifications import live_notify
from matching.services.deliveries import Email, delivery_enqueue, recipient_language

logger = logging.getLogger(__name__)

# The form's limits (an announcement is stored only in its deliveries' payload).
SUBJECT_MAX = 200
BODY_MAX = 10_000
KIND = Delivery.Kind.ANNOUNCEMENT


@dataclass(frozen=True)
class Reach:
    """``count`` recipients read the text in ``language`` (with furigana or not)."""

    language: str
    furigana: bool
    count: int


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


def announcement_language(reader: str, written: Collection[str]) -> tuple[str, bool]:
    """The language of the text a reader of ``reader`` gets among the ``written`` ones, and
    whether it carries furigana: their own, else easy Japanese, else Japanese with furigana
    (Japanese is always written)."""
    if reader in written:
        return reader, False
    if EASY_JAPANESE in written:
        return EASY_JAPANESE, False
    return JAPANESE, True


def announcement_reach(*, recipients: list[User], written: Collection[str]) -> list[Reach]:
    """How many recipients read the announcement in which text (the page shows it before
    sending): one row per text, most readers first."""
    counts: Counter[tuple[str, bool]] = Counter(
        announcement_language(recipient_language(user), written) for user in recipients
    )
    return [
        Reach(language=language, furigana=furigana, count=count)
        for (language, furigana), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def announcement_texts(texts: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """``{language: {"subject", "body"}}`` of the languages written (both parts non-empty);
    ValidationError naming the fields when Japanese is missing or a language is half written
    or unknown."""
    errors: dict[str, list[str]] = {}
    kept: dict[str, dict[str, str]] = {}
    for language, (subject, body) in texts.items():
        field = language.replace("-", "_")
        if language not in CODES:
            errors[f"subject_{field}"] = [_("Not a language of Engawa.")]
        elif subject.strip() and body.strip():
            kept[language] = {"subject": subject.strip(), "body": body.strip()}
        elif subject.strip() or body.strip() or language == JAPANESE:
            missing = "body" if subject.strip() else "subject"
            errors[f"{missing}_{field}"] = [_("Write both the subject and the message.")]
    if JAPANESE not in kept and "subject_ja" not in errors and "body_ja" not in errors:
        errors["subject_ja"] = [_("Write the announcement in Japanese.")]
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def announcement_send(*, program: Program, by: User, texts: Mapping[str, tuple[str, str]]) -> int:
    """Send an announcement to every active applicant of ``program``; returns how many.

    ``texts`` maps a language to its (subject, body): Japanese always, any other of the seven
    optionally (``announcement_texts`` checks them); each recipient gets the text of
    ``announcement_language``. Locks nothing; records one ``Delivery`` per recipient. On
    commit: each is sent by the e-mail task (``matching.delivery_send``), and one
    ``announcement`` event goes to each recipient's live notification stream.
    Raises PermissionDenied unless ``by`` is a coordinator."""
    if by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may send announcements."))
    written = announcement_texts(texts)
    payload = {"texts": written}
    recipients = announcement_recipients(program=program)
    # One key per announcement: each is its own e-mail, however alike the texts.
    key = uuid.uuid4().hex
    deliveries = Delivery.objects.bulk_create(
        Delivery(kind=KIND, program=program, user=user, key=key, payload=payload)
        for user in recipients
    )
    delivery_enqueue(delivery_ids=[delivery.pk for delivery in deliveries])
    _notify_live(program=program, recipients=recipients, written=written)
    logger.info(
        "announcement for programme %s by user %s to %d recipients",
        program.pk,
        by.pk,
        len(recipients),
    )
    return len(recipients)


def _notify_live(
    *, program: Program, recipients: list[User], written: dict[str, dict[str, str]]
) -> None:
    """Push the announcement to each recipient's open pages, in the text they read
    (on commit)."""
    readers: dict[str, list[int]] = {}
    for user in recipients:
        language, _furigana = announcement_language(recipient_language(user), written)
        readers.setdefault(language, []).append(user.pk)
    for language, user_ids in readers.items():
        text = written[language]
        live_notify(
            user_ids=user_ids,
            event={
                "kind": "announcement",
                "program": program.pk,
                "title": text["subject"],
                "text": text["subject"],
                "body": text["body"],
            },
        )


def _written(payload: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The texts of a delivery's payload; a delivery recorded before announcements had more
    than Japanese and English held them as subject_ja, body_en..."""
    if "texts" in payload:
        return dict(payload["texts"])
    return {
        language: {"subject": payload[f"subject_{language}"], "body": payload[f"body_{language}"]}
        for language in (JAPANESE, ENGLISH)
        if payload.get(f"subject_{language}")
    }


def announcement_email(delivery: Delivery) -> Email | None:
    """The e-mail of an announcement's delivery: the interface in its recipient's language,
    the text in ``announcement_language``'s."""
    program = Program.objects.only("name", "translations").filter(deliveries=delivery).first()
    if program is None:
        return None
    written = _written(delivery.payload)
    language, furigana = announcement_language(recipient_language(delivery.user), written)
    text = written[language]
    context = {
        "subject": text["subject"],
        "body": text["body"],
        "text_language": language,
        "body_html": _paragraphs(text["body"], furigana=furigana),
        "program_name": program.display_name,
        "site_url": settings.SITE_URL,
    }
    return Email(
        subject=render_to_string("matching/email/announcement_subject.txt", context),
        text=render_to_string("matching/email/announcement.txt", context),
        html=render_to_string("matching/email/announcement.html", context),
    )


def _paragraphs(body: str, *, furigana: bool) -> SafeString:
    """The body as HTML paragraphs (like ``linebreaks``), with furigana when asked."""
    shown = furigana_html if furigana else escape
    paragraphs = [part for part in re.split(r"\n\s*\n", body) if part.strip()]
    return mark_safe(  # noqa: S308  # each line escaped (or furigana_html, which escapes)
        "".join(
            "<p>" + "<br>".join(shown(line) for line in part.splitlines()) + "</p>"
            for part in paragraphs
        )
    )
