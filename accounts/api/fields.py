"""Serializer fields the apps share for codes of accounts' reference tables."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from accounts.selectors import reference_codes

# The largest id a database column holds (a signed 64-bit integer): a bigger number is refused
# as input, since SQLite's driver raises OverflowError on it instead of finding no row.
ID_MAX = 2**63 - 1


def is_row_id(value: Any) -> bool:
    """Whether ``value`` (from a JSON frame) can be a row's id."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX


class IdField(serializers.IntegerField):
    """The id of a row: a positive integer no database id exceeds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class ReferenceCode(serializers.ChoiceField):
    """A code of a reference table, named as in ``accounts.selectors.ReferenceCodes``
    (``languages``, ``stations``, ``diets``, ``food_allergens``, ``allergens``, ``interests``).

    The codes are rows, read when a value is checked (once per process), not when the schema
    is built: ``GET /api/reference/`` lists them."""

    def __init__(self, *, table: str, **kwargs: Any) -> None:
        self.table = table
        super().__init__(choices=[], **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        self.choices = sorted(getattr(reference_codes(), self.table))
        return super().to_internal_value(data)


# A bound on the work one body can cost: no list of codes is longer in real use.
MAX_CODES = 30


class CodeList(serializers.ListField):
    """A list of codes, each one of the child's choices.

    Every bad code is named in the field's one list of messages (``{"field": ["..."]}``, as
    API.md has every error), not under its position in the list."""

    def __init__(self, *, child: serializers.ChoiceField, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_CODES)
        super().__init__(child=child, **kwargs)

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        result: list[Any] = []
        errors: list[Any] = []
        for item in data:
            try:
                result.append(self.child.run_validation(item))
            except exceptions.ValidationError as exc:
                errors.extend(exc.detail if isinstance(exc.detail, list) else [exc.detail])
        if errors:
            raise exceptions.ValidationError(errors)
        return result
