"""Chat's Celery tasks: thin, one service call each."""

from __future__ import annotations

from celery import shared_task

from chat import digests, services


@shared_task(name="chat.tasks.chat_digest_send", acks_late=True)  # type: ignore[untyped-decorator]
def chat_digest_send() -> int:
    """Every 5 minutes (chat/schedule.py): missed-message e-mails. Safe to overlap: members
    being handled by another run are skipped (row locks), and nobody is e-mailed twice about
    the same messages."""
    return digests.digests_send()


@shared_task(name="chat.tasks.chat_purge_for_program", acks_late=True)  # type: ignore[untyped-decorator]
def chat_purge_for_program(program_id: int) -> int:
    """Retention: delete a programme's chat messages."""
    return services.conversation_purge_for_program(program_id=program_id)
