"""Celery task offering a freed seat again: an id in, one service call, the retry policy."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from matching.services import reoffers as services


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.seat_reoffer",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def seat_reoffer(freed_proposal_id: int) -> None:
    """Offer the seat a declined, expired or cancelled proposal freed (safe to redeliver: the
    service records one re-offer per freed proposal)."""
    services.seat_reoffer(freed_proposal_id=freed_proposal_id)
