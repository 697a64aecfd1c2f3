"""Chat's periodic tasks, for the lead to merge into ``CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "chat-digest-send": {
        "task": "chat.tasks.chat_digest_send",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
