"""Chat's Celery tasks: thin, one service call each."""

from __future__ import annotations

from celery import shared_task

from chat import digests


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no type hints
    name="chat.tasks.chat_digest_send", acks_late=True
)
def chat_digest_send() -> int:
    """Every 5 minutes (chat/schedule.py): missed-message e-mails. Safe to overlap: members
    being handled by another run are skipped (row locks), and nobody is e-mailed twice about
    the same messages."""
    return digests.digests_send()
