"""Reads of accounts data shared by the API, the pages and the matcher."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from accounts import reference_data as rd
from accounts.languages import reference_name
from accounts.models import (
    Allergen,
    Diet,
    HostProfile,
    Interest,
    PartnerSchool,
    Role,
    SpokenLanguage,
    Station,
    StudentProfile,
    User,
    VettingCheck,
)

STUDENT_REQUIRED = (
    "nationality",
    "gender",
    "birth_year",
    "languages",
    "home_station",
    "max_travel_minutes",
)
HOST_REQUIRED = (
    "household_name",
    "household_size",
    "languages",
    "home_station",
    "address",
    "phone",
)


@dataclass(frozen=True)
class ReferenceCodes:
    languages: frozenset[str]
    stations: frozenset[str]
    diets: frozenset[str]
    food_allergens: frozenset[str]
    pet_allergens: frozenset[str]
    interests: frozenset[str]

    @property
    def allergens(self) -> frozenset[str]:
        return self.food_allergens | self.pet_allergens


@lru_cache(maxsize=1)
def _reference_codes_cached() -> ReferenceCodes:
    allergens = list(Allergen.objects.values_list("code", "kind"))
    return ReferenceCodes(
        languages=frozenset(SpokenLanguage.objects.values_list("code", flat=True)),
        stations=frozenset(Station.objects.values_list("slug", flat=True)),
        diets=frozenset(Diet.objects.values_list("code", flat=True)),
        food_allergens=frozenset(c for c, k in allergens if k == Allergen.Kind.FOOD),
        pet_allergens=frozenset(c for c, k in allergens if k == Allergen.Kind.PET),
        interests=frozenset(Interest.objects.values_list("slug", flat=True)),
    )


def reference_codes() -> ReferenceCodes:
    """The valid codes of every reference table. Reference data only changes by migration, so
    one read per process is enough; an empty read (tests before migrations) is not kept."""
    codes = _reference_codes_cached()
    if not codes.languages:
        _reference_codes_cached.cache_clear()
    return codes


def _label(row: Any, language: str) -> str:
    return reference_name(row.name_ja, row.name_en, language)


def weekly_slot_reference(*, language: str) -> dict[str, list[dict[str, str]]]:
    """The weekly time-slot grid with labels in ``language``: the weekdays, the parts of the
    day, and the 21 slot codes (weekday order, then morning, afternoon, evening)."""
    return {
        "weekdays": [{"code": r.code, "name": _label(r, language)} for r in rd.WEEKDAYS],
        "day_parts": [{"code": r.code, "name": _label(r, language)} for r in rd.DAY_PARTS],
        "weekly_slots": [
            {"code": r.code, "name": _label(r, language), "weekday": r.weekday, "part": r.part}
            for r in rd.WEEKLY_SLOTS
        ],
    }


_SLOT_ORDER = {slot.code: index for index, slot in enumerate(rd.WEEKLY_SLOTS)}


def weekly_slots_in_order(codes: list[str]) -> list[str]:
    """Slot codes in grid order (Monday morning first); a code from outside the grid (stored
    before the codes were checked) after the known ones."""
    return sorted(codes, key=lambda c: (_SLOT_ORDER.get(c, len(_SLOT_ORDER)), c))


def weekly_slot_labels(codes: list[str], *, language: str | None = None) -> list[str]:
    """Stored slots as text in ``language`` (default: the active one), in grid order
    ("Monday Morning"). A code from outside the grid is shown as it was given."""
    language = language or get_language() or "ja"
    return [
        _label(rd.WEEKLY_SLOTS[_SLOT_ORDER[code]], language) if code in _SLOT_ORDER else code
        for code in weekly_slots_in_order(codes)
    ]


def reference_data(*, language: str) -> dict[str, Any]:
    """Every reference list with labels in ``language`` (ja or en)."""

    def label(row: Any) -> str:
        return _label(row, language)

    return {
        "languages": [{"code": r.code, "name": label(r)} for r in SpokenLanguage.objects.all()],
        "stations": [
            {
                "slug": r.slug,
                "name": label(r),
                "name_ja": r.name_ja,
                "name_en": r.name_en,
                "latitude": r.latitude,
                "longitude": r.longitude,
            }
            for r in Station.objects.all()
        ],
        "diets": [{"code": r.code, "name": label(r)} for r in Diet.objects.all()],
        "allergens": [
            {"code": r.code, "name": label(r), "kind": r.kind} for r in Allergen.objects.all()
        ],
        "interests": [{"slug": r.slug, "name": label(r)} for r in Interest.objects.all()],
        "vetting_checks": [
            {
                "code": r.code,
                "name": label(r),
                "name_ja": r.name_ja,
                "name_en": r.name_en,
                "required": r.required,
                "valid_months": r.valid_months,
            }
            for r in VettingCheck.objects.filter(active=True)
        ],
        "schools": [
            {
                "id": r.pk,
                "name": label(r),
                "name_ja": r.name_ja,
                "name_en": r.name_en,
                "domains": r.domains,
            }
            for r in PartnerSchool.objects.filter(active=True)
        ],
        **weekly_slot_reference(language=language),
    }


# The reference tables a form or a serializer offers as choices, by the name the API uses.
_REFERENCE_TABLES: dict[str, Any] = {
    "languages": SpokenLanguage,
    "diets": Diet,
    "allergens": Allergen,
    "interests": Interest,
    "stations": Station,
}


def reference_choices(
    table: str, *, language: str | None = None, kind: str | None = None
) -> list[tuple[str, str]]:
    """``(code, label)`` of every row of a reference table (``languages``, ``diets``,
    ``allergens``, ``interests``, ``stations``) in the table's order, labels in ``language``
    (default: the active one); ``kind`` keeps the allergens of that kind."""
    language = language or get_language() or "ja"
    rows = _REFERENCE_TABLES[table].objects.all()
    if kind is not None:
        rows = rows.filter(kind=kind)
    return [(row.pk, _label(row, language)) for row in rows]


def stations() -> QuerySet[Station]:
    """Every station, with the lines that serve it (the pages group stations by line)."""
    return Station.objects.all()


def profile_of(user: User) -> StudentProfile | HostProfile | None:
    """The user's profile, or None when the role has none or it is not filled in yet."""
    try:
        if user.role == Role.STUDENT:
            return user.student_profile
        if user.role == Role.HOST:
            return user.host_profile
    except (StudentProfile.DoesNotExist, HostProfile.DoesNotExist):
        return None
    return None


def profile_missing_fields(profile: StudentProfile | HostProfile | None, role: str) -> list[str]:
    """The required fields still empty; an empty list means the profile is complete."""
    required = STUDENT_REQUIRED if role == Role.STUDENT else HOST_REQUIRED
    if profile is None:
        return list(required)
    missing = []
    for field in required:
        value = getattr(profile, field + "_id" if field == "home_station" else field)
        if value in (None, "", []):
            missing.append(field)
    return missing


def profile_is_complete(user: User) -> bool:
    if user.role not in (Role.STUDENT, Role.HOST):
        return False
    return not profile_missing_fields(profile_of(user), user.role)


def display_name(user: User) -> str:
    """How the pages name a person: a family by its household name, anyone else by their name.
    Reads ``user.host_profile``: lists select it with the user."""
    if user.role != Role.HOST:
        return user.name
    try:
        return user.host_profile.household_name or user.name
    except HostProfile.DoesNotExist:
        return user.name


def reference_labels(
    *, kinds: Iterable[str], language: str | None = None
) -> dict[str, dict[str, str]]:
    """Codes to names in ``language`` (default: the active one) for each reference table
    asked for (``reference_choices``' tables), for the pages to show stored codes: one query
    a table."""
    return {kind: dict(reference_choices(kind, language=language)) for kind in kinds}
