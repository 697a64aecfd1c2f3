"""Celery tasks of accounts: its e-mails, and housekeeping that beat runs
(see ``accounts.schedule``)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from accounts import emails, services

# The retry policy of matching.delivery_send: SMTP and network errors, backoff, five tries.
_RETRIED = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="accounts.email_verification_send", **_RETRIED
)
def email_verification_send(user_id: int) -> bool:
    """Send the link that confirms a new account's address."""
    return emails.verification_email_send(user_id=user_id)


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="accounts.password_reset_send", **_RETRIED
)
def password_reset_send(email: str) -> int:
    """Send a password-reset link if an account has this address; the request that asked
    for it enqueued this task either way."""
    return emails.password_reset_email_send(email=email)


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="accounts.invitation_send", **_RETRIED
)
def invitation_send(user_id: int) -> bool:
    """Invite a person the registry import created to choose a password."""
    return emails.invitation_email_send(user_id=user_id)


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="accounts.ws_tickets_purge", ignore_result=True
)
def ws_tickets_purge() -> int:
    """Delete expired WebSocket tickets; the number deleted."""
    return services.ws_tickets_purge()


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="accounts.api_tokens_purge", ignore_result=True
)
def api_tokens_purge() -> int:
    """Delete the API tokens idle past API_TOKEN_IDLE_DAYS; the number deleted."""
    return services.api_tokens_purge()
