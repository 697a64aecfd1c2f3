"""Values read by hand-written SQL (the hot list reads), as the ORM would have given them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def stored_date(value: dt.date | str) -> dt.date:
    # PostgreSQL returns dates; SQLite may return the stored text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def stored_datetime(value: dt.datetime | str) -> dt.datetime:
    # PostgreSQL returns aware datetimes; SQLite the stored UTC text (or a naive datetime).
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a stored datetime: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)
