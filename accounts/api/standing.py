"""A person's standing in the registry as the API shows it: to the person (``GET /api/me/``,
renewal, choosing a school) and to coordinators (``GET /api/people/{id}/``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import User
from accounts.registry import selectors
from accounts.registry.models import RegistryRecord

ALL_STATUSES = sorted({*selectors.HOST_STATUSES, *selectors.STUDENT_STATUSES})


class SchoolOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_ja = serializers.CharField()
    name_en = serializers.CharField()


class StandingOutput(serializers.Serializer[Any]):
    """A person's standing, as they and the coordinators see it."""

    status = serializers.ChoiceField(choices=ALL_STATUSES)
    valid_until = serializers.DateField(allow_null=True)
    school = SchoolOutput(allow_null=True)
    renewal_requested = serializers.BooleanField()


def school_shape(record: RegistryRecord | None) -> dict[str, Any] | None:
    school = record.school if record else None
    if school is None:
        return None
    return {
        "id": school.pk,
        "name": school.label(),
        "name_ja": school.name_ja,
        "name_en": school.name_en,
    }


def standing_shape(user: User, record: RegistryRecord | None) -> dict[str, Any]:
    """A person's standing: the API's ``StandingOutput`` (also in ``GET /api/me/``)."""
    return {
        "status": selectors.person_status(role=user.role, record=record),
        "valid_until": record.valid_until if record else None,
        "school": school_shape(record),
        "renewal_requested": bool(record and record.renewal_requested_at),
    }
