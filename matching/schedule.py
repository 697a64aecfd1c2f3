"""Periodic tasks of matching, for ``CELERY_BEAT_SCHEDULE`` in config/settings.py.

The intervals can be shortened through the environment (the beat integration test runs the
expiry every two seconds); the defaults are the production ones."""

from __future__ import annotations

import os
from typing import Any


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


EXPIRE_EVERY = _seconds("ENGAWA_EXPIRE_EVERY_SECONDS", 5 * 60)
REMIND_EVERY = _seconds("ENGAWA_REMIND_EVERY_SECONDS", 15 * 60)
PURGE_EVERY = _seconds("ENGAWA_PURGE_EVERY_SECONDS", 24 * 60 * 60)
RESEND_EVERY = _seconds("ENGAWA_RESEND_EVERY_SECONDS", 10 * 60)
RENEWALS_EVERY = _seconds("ENGAWA_RENEWALS_EVERY_SECONDS", 24 * 60 * 60)
# The hour (Asia/Tokyo) of the day before a visit when its meeting can no longer change and
# its reminder goes out (``matching.services.meeting``).
VISIT_CUTOFF_HOUR = int(_seconds("ENGAWA_VISIT_CUTOFF_HOUR", 12))

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "matching.proposals_expire": {
        "task": "matching.proposals_expire",
        "schedule": EXPIRE_EVERY,
        # A run that waited longer than its interval is superseded by the next one.
        "options": {"expires": EXPIRE_EVERY},
    },
    "matching.proposals_remind": {
        "task": "matching.proposals_remind",
        "schedule": REMIND_EVERY,
        "options": {"expires": REMIND_EVERY},
    },
    # The day-before reminder of visits, as often as the proposals' reminders.
    "matching.visits_remind_tomorrow": {
        "task": "matching.visits_remind_tomorrow",
        "schedule": REMIND_EVERY,
        "options": {"expires": REMIND_EVERY},
    },
    "matching.deliveries_resend_due": {
        "task": "matching.deliveries_resend_due",
        "schedule": RESEND_EVERY,
        "options": {"expires": RESEND_EVERY},
    },
    # Renewal reminders: one run a day is enough (each reminder is recorded once).
    "matching.renewal_reminders_send": {
        "task": "matching.renewal_reminders_send",
        "schedule": RENEWALS_EVERY,
        "options": {"expires": RENEWALS_EVERY},
    },
    "matching.programs_purge_due": {
        "task": "matching.programs_purge_due",
        "schedule": PURGE_EVERY,
        "options": {"expires": PURGE_EVERY},
    },
}
