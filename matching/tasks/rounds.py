"""Celery tasks for rounds: thin, an id in, one service call, the retry policy."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import OperationalError
from django.utils.translation import gettext as _

from matching.services import rounds as services


class _RoundTask(Task):  # type: ignore[misc]  # celery ships no type hints
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # Retries are spent (or an error escaped the service): say so on the round rather than
        # leave it "running" for ever.
        round_id = kwargs.get("round_id") if kwargs else None
        if round_id is None and args:
            round_id = args[0]
        if round_id is not None:
            services.round_fail(
                round_id=int(round_id),
                error=_("The round could not be run: %(detail)s") % {"detail": exc},
            )


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.round_run",
    base=_RoundTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def round_run(round_id: int) -> None:
    """Run a queued round (see ``matching.services.rounds.round_run``); safe to redeliver."""
    services.round_run(round_id=round_id)
