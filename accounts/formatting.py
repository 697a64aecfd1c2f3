"""Dates, times and durations as people read them, one format per language, everywhere: pages,
e-mails, calendar files and live notifications all call these (Asia/Tokyo, units always).

Japanese: 2027年1月2日(土) 13:00. English (and any other language): Sat 2 Jan 2027, 13:00.
The day comes with its weekday and the month in letters, so 01/02 is never read two ways."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext


def _japanese() -> bool:
    return (get_language() or "ja").startswith("ja")


def day_label(value: dt.date | str) -> str:
    """A day with its weekday: 2027年1月2日(土) / Sat 2 Jan 2027."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return formats.date_format(day, "Y年n月j日(D)" if _japanese() else "D j M Y")


def moment_label(value: dt.datetime) -> str:
    """A moment in Tokyo time: 2027年1月2日(土) 13:00 / Sat 2 Jan 2027, 13:00."""
    local = timezone.localtime(value)
    if _japanese():
        return f"{day_label(local.date())} {formats.date_format(local, 'H:i')}"
    return f"{day_label(local.date())}, {formats.date_format(local, 'H:i')}"


def hours_label(hours: int) -> str:
    """A duration in hours with its unit: 72時間 / 72 hours."""
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
