"""Celery tasks for proposals: the periodic deadline and retention work that beat runs (see
``matching.schedule``). Thin: one service call each."""

from __future__ import annotations

from celery import shared_task

from matching.services import meeting, proposals, retention


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.proposals_expire", ignore_result=True
)
def proposals_expire() -> int:
    """Expire the open proposals past their deadline; the number expired."""
    return len(proposals.proposals_expire())


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.proposals_remind", ignore_result=True
)
def proposals_remind() -> int:
    """Send the reminders now due; the number of proposals reminded."""
    return len(proposals.proposals_remind())


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.visits_remind_tomorrow", ignore_result=True
)
def visits_remind_tomorrow() -> int:
    """Remind both sides of tomorrow's visits (from noon); the number of visits reminded."""
    return len(meeting.visits_remind_tomorrow())


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="matching.programs_purge_due", ignore_result=True
)
def programs_purge_due() -> int:
    """Purge what the retention period no longer allows to keep; the number of programmes."""
    return len(retention.programs_purge_due())
