"""The task that sends every e-mail of the platform, and the periodic one that hands it again
the deliveries whose task was lost (see ``matching.services.deliveries``)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from matching.services import deliveries, registry


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.delivery_send",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def delivery_send(delivery_id: int) -> bool:
    """Send one e-mail unless it was sent already; SMTP and network errors are retried with
    exponential backoff, at most five times. Safe to redeliver."""
    return deliveries.delivery_send(delivery_id=delivery_id)


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.deliveries_resend_due", ignore_result=True
)
def deliveries_resend_due() -> int:
    """Periodic (``matching.schedule``): hand over again the deliveries whose task was lost;
    the number handed over."""
    return len(deliveries.deliveries_resend_due())


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.renewal_reminders_send", ignore_result=True
)
def renewal_reminders_send() -> int:
    """Periodic (``matching.schedule``, daily): the registry's renewal reminders due today;
    the number recorded."""
    return len(registry.renewal_reminders_send())
