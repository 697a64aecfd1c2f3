"""Hand-written and compiled-once reads (the hot paths): their SQL, and their values as the
ORM would have given them."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.dateparse import parse_datetime

M = TypeVar("M", bound=Model)


def stored_date(value: dt.date | str) -> dt.date:
    # PostgreSQL returns dates; SQLite may return the stored text.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def stored_datetime(value: dt.datetime | str) -> dt.datetime:
    # PostgreSQL returns aware datetimes; SQLite the stored UTC text (or a naive datetime).
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(value)
    if parsed is None:
        raise ValueError(f"not a stored datetime: {value!r}")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


@functools.cache
def _converted_columns(
    model: type[Model], attnames: tuple[str, ...], vendor: str
) -> tuple[tuple[int, Col, Field[Any, Any]], ...]:
    """The columns of a row that have converters on this kind of database: which ones depends
    only on the field and the backend, so it is worked out once."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    found = []
    for i, attname in enumerate(attnames):
        field = fields[attname]
        column = field.get_col(model._meta.db_table)
        if connection.ops.get_db_converters(column) or field.get_db_converters(connection):
            found.append((i, column, field))
    return tuple(found)


def converted(model: type[Model], attnames: Sequence[str], row: Sequence[Any]) -> list[Any]:
    """The values of a row read by hand (``model``'s fields ``attnames``), each passed through
    the converters the ORM would apply (the backend's, then the field's own: aware datetimes
    on SQLite, decoded JSON on PostgreSQL), so they equal what a queryset gives."""
    db = connections[DEFAULT_DB_ALIAS]
    values = list(row)
    for i, column, field in _converted_columns(model, tuple(attnames), db.vendor):
        for convert in (*db.ops.get_db_converters(column), *field.get_db_converters(db)):
            values[i] = convert(values[i], column, db)
    return values


def from_row(model: type[M], attnames: Sequence[str], row: Sequence[Any]) -> M:
    """An instance of ``model`` from a row read by hand, equal to what a queryset returns."""
    names = tuple(attnames)
    return model.from_db(DEFAULT_DB_ALIAS, names, converted(model, names, row))


def compiled_with_stand_ins(
    queryset: QuerySet[Any, Any], *stand_ins: int | str
) -> tuple[str, tuple[Any, ...]] | None:
    """The SQL and parameters of a queryset built with stand-in values, to be compiled once and
    run with each call's own values (``with_values``): building a query with the ORM can cost
    more than running it. None when the queryset can match no row."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    missing = [value for value in stand_ins if value not in params]
    if missing:
        raise ImproperlyConfigured(f"the query no longer takes {missing!r} as parameters")
    return sql, tuple(params)


def with_values(params: Sequence[Any], values: dict[int | str, Any]) -> list[Any]:
    """``params`` of ``compiled_with_stand_ins`` with each stand-in swapped for its value."""
    return [values.get(p, p) if isinstance(p, int | str) else p for p in params]
