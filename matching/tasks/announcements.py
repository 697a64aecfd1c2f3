"""Celery task for announcements: one e-mail to one recipient, in the recipient's language."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Program


@shared_task(
    name="matching.announcement_email_send",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    max_retries=8,
)
def announcement_email_send(
    *,
    user_id: int,
    program_id: int,
    subject_ja: str,
    subject_en: str,
    body_ja: str,
    body_en: str,
) -> None:
    """Send one recipient the announcement; a retry after an SMTP failure resends only theirs."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    program = Program.objects.filter(pk=program_id).first()
    if user is None or program is None:
        return  # the account or programme was deleted after the announcement: nobody to tell
    japanese = user.preferred_language == "ja"
    with translation.override(user.preferred_language):
        footer = _("You receive this message because you applied to “%(program)s” on Engawa.") % {
            "program": program.name
        }
        prefix = _("[Engawa]")
    subject = f"{prefix} {subject_ja if japanese else subject_en}"
    body = f"{body_ja if japanese else body_en}\n\n--\n{footer}\n{settings.SITE_URL}\n"
    send_mail(subject, body, None, [user.email])
