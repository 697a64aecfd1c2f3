"""Celery tasks for proposals: the e-mail of one delivery, and the periodic deadline work that
beat runs (see ``matching.schedule``). Thin: ids in, one service call."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from matching import notifications
from matching.services import proposals, retention


@shared_task(
    name="matching.notification_deliver",
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def notification_deliver(delivery_id: int) -> bool:
    """Send one e-mail unless it was sent already; SMTP and network errors are retried with
    exponential backoff, at most five times."""
    return notifications.delivery_send(delivery_id=delivery_id)


@shared_task(name="matching.proposals_expire", ignore_result=True)
def proposals_expire() -> int:
    """Expire the open proposals past their deadline; the number expired."""
    return len(proposals.proposals_expire())


@shared_task(name="matching.proposals_remind", ignore_result=True)
def proposals_remind() -> int:
    """Send the reminders now due; the number of proposals reminded."""
    return len(proposals.proposals_remind())


@shared_task(name="matching.programs_purge_due", ignore_result=True)
def programs_purge_due() -> int:
    """Purge what the retention period no longer allows to keep; the number of programmes."""
    return len(retention.programs_purge_due())
