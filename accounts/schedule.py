"""Periodic tasks of accounts, merged into ``CELERY_BEAT_SCHEDULE`` by config/settings.py."""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Tickets live 60 seconds; an hourly sweep keeps the table small without racing redeems.
    "accounts.ws_tickets_purge": {
        "task": "accounts.ws_tickets_purge",
        "schedule": 60.0 * 60,
        "options": {"expires": 30 * 60},
    },
    "accounts.api_tokens_purge": {
        "task": "accounts.api_tokens_purge",
        "schedule": 24 * 60.0 * 60,
        "options": {"expires": 60 * 60},
    },
}
