"""Dates as people read them in each language (Asia/Tokyo, the project's time zone)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import get_language


def day_label(value: dt.date | str) -> str:
    """A visit day with its weekday: 2026年12月26日(土) / Sat 26 December 2026."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if (get_language() or "ja").startswith("ja"):
        return formats.date_format(day, "Y年n月j日(D)")
    return formats.date_format(day, "D j F Y")


def moment_label(value: dt.datetime) -> str:
    """A moment in Tokyo time: 2026年12月26日 18:00 / 26 December 2026, 18:00."""
    local = timezone.localtime(value)
    if (get_language() or "ja").startswith("ja"):
        return formats.date_format(local, "Y年n月j日 H:i")
    return formats.date_format(local, "j F Y, H:i")
