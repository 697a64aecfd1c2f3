"""Celery tasks of accounts: housekeeping that beat runs (see ``accounts.schedule``)."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="accounts.ws_tickets_purge", ignore_result=True
)
def ws_tickets_purge() -> int:
    """Delete expired WebSocket tickets; the number deleted."""
    return services.ws_tickets_purge()
