"""Why the solver left someone out, as text in the coordinator's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from accounts.formatting import day_label
from accounts.models import (
    ChildrenPreference,
    Gender,
    HouseholdGenders,
    HouseholdPreference,
    LanguageLevel,
    Pet,
)
from accounts.registry.selectors import STATUS_LABELS
from accounts.selectors import reference_labels
from matching.services.exchange import REASON_TEXT as EXCHANGE_REASON_TEXT

# Why the solver left someone out: (side, code) -> a format string over the reason's params
# (matching.solver.explain), so the coordinator reads it in their own language. Codes that
# mean the same for both sides use the side "any"; counted ones pick their plural from their
# count param. An unknown code falls back to the solver's English text.
REASON_FORMATS: dict[tuple[str, str], Any] = {
    ("any", "profile_incomplete"): gettext_lazy(
        "The profile lacks a field the matcher needs (such as the home station)."
    ),
    # The registry keeps them out: a family not approved, a student not confirmed.
    ("host", "registry_status"): gettext_lazy(
        "The family is not approved for hosting (its registration is %(status)s)."
    ),
    ("student", "registry_status"): gettext_lazy(
        "The student is not confirmed by a partner school (%(status)s)."
    ),
    # Students
    ("student", "no_family_on_dates"): gettext_lazy("No family offers %(dates)s."),
    ("student", "pet"): gettext_lazy(
        "Every family on the student's dates has %(pets)s, which the student is allergic to."
    ),
    ("student", "smoking"): gettext_lazy("No family on the student's dates is smoke-free."),
    ("student", "diet"): gettext_lazy("No family caters for %(diets)s."),
    ("student", "diet_together"): gettext_lazy("No family caters for %(diets)s together."),
    ("student", "allergen"): gettext_lazy("No family can keep %(allergens)s out of the food."),
    ("student", "allergen_together"): gettext_lazy(
        "No family can keep %(allergens)s out of the food together."
    ),
    ("student", "gender"): gettext_lazy(
        "No family on the student's dates welcomes a guest of the student's gender (%(gender)s)."
    ),
    ("student", "language"): gettext_lazy(
        "No family on the student's dates shares a language with the student at the "
        "programme's level (%(level)s)."
    ),
    ("student", "pet_wish"): gettext_lazy(
        "Every family on the student's dates has %(pets)s, which the student asked to avoid."
    ),
    ("student", "alcohol"): gettext_lazy(
        "No family on the student's dates has an alcohol-free home."
    ),
    ("student", "household"): gettext_lazy(
        "No family on the student's dates has the household the student asked for (%(preference)s)."
    ),
    ("student", "children"): gettext_lazy(
        "No family on the student's dates fits the student's wish about children (%(preference)s)."
    ),
    ("student", "step_free"): gettext_lazy(
        "No family on the student's dates has step-free access."
    ),
    ("student", "prayer"): gettext_lazy(
        "No family on the student's dates has a quiet space for prayer."
    ),
    ("student", "travel"): gettext_lazy(
        "No family within %(minutes)s minutes of travel (the nearest is about "
        "%(nearest_minutes)s minutes away)."
    ),
    ("student", "forbidden"): gettext_lazy("The families that fit are excluded: %(reasons)s."),
    ("student", "combination"): gettext_lazy(
        "Each rule alone leaves some families, but none meets all of: %(rules)s."
    ),
    ("student", "full"): ngettext_lazy(
        "The one family that fits is full.",
        "The %(families)d families that fit are full.",
        "families",
    ),
    ("student", "taken"): ngettext_lazy(
        "The one family that fits went to another student this round.",
        "The %(families)d families that fit went to other students this round.",
        "families",
    ),
    ("student", "group"): gettext_lazy(
        "Not placed: no family could take both this student and %(partner)s (the friend or "
        "sibling they visit with) on one day that suits both."
    ),
    ("student", "group_partner_placed"): gettext_lazy(
        "Placed only together with %(partner)s, who already has a visit in this programme: "
        "left out until one of them ends their plan to visit together."
    ),
    ("student", "group_partner_not_ready"): gettext_lazy(
        "Placed only together with %(partner)s, who cannot be placed in this round (their "
        "registration or profile is not ready)."
    ),
    ("student", "not_alone"): gettext_lazy(
        "Placed only where a second student visits the same family the same day: no such "
        "place was left."
    ),
    ("student", "priority"): gettext_lazy(
        "Others fitted just as well and went first: among equals, first-time visitors go "
        "first, then those left unplaced before, then a lottery (seed %(lottery_seed)s; this "
        "student drew number %(lottery_number)s of %(of)s)."
    ),
    # Families
    ("host", "no_free_seat"): gettext_lazy("The family has no free seat left on its days."),
    ("host", "no_student_on_dates"): gettext_lazy("No student applied for %(dates)s."),
    ("host", "pet"): gettext_lazy(
        "Every student on the family's dates is allergic to its pets (%(pets)s)."
    ),
    ("host", "smoking"): gettext_lazy(
        "Every student on the family's dates needs a smoke-free home."
    ),
    ("host", "diet"): gettext_lazy(
        "Every student on the family's dates needs a diet it does not cater for."
    ),
    ("host", "allergen"): gettext_lazy(
        "Every student on the family's dates has a food allergy it cannot cater for."
    ),
    ("host", "gender"): gettext_lazy(
        "No student on the family's dates matches its guest preference (%(preference)s)."
    ),
    ("host", "travel"): gettext_lazy(
        "No student on the family's dates lives within their travel limit of its station."
    ),
    ("host", "forbidden"): gettext_lazy("The only students who fit are excluded: %(reasons)s."),
    ("host", "language"): gettext_lazy(
        "No student on the family's dates shares a language with it at the programme's level "
        "(%(level)s)."
    ),
    ("host", "pet_wish"): gettext_lazy(
        "Every student on the family's dates asked for a home without its pets (%(pets)s)."
    ),
    ("host", "alcohol"): gettext_lazy(
        "Every student on the family's dates needs an alcohol-free home."
    ),
    ("host", "household"): gettext_lazy(
        "Every student on the family's dates asked for a different household "
        "(the family: %(household)s)."
    ),
    ("host", "children"): gettext_lazy(
        "No student on the family's dates wishes for a home like this one, with or without "
        "children."
    ),
    ("host", "step_free"): gettext_lazy(
        "Every student on the family's dates needs step-free access."
    ),
    ("host", "prayer"): gettext_lazy(
        "Every student on the family's dates needs a quiet space for prayer."
    ),
    ("host", "combination"): gettext_lazy(
        "Each rule alone leaves some students, but none meets all of: %(rules)s."
    ),
    ("host", "taken"): ngettext_lazy(
        "The one student who fits was placed with another family.",
        "The %(students)d students who fit were placed with other families.",
        "students",
    ),
    # Language exchange (either side): the texts are matching's, which stores them too.
    **{("any", code): text for code, text in EXCHANGE_REASON_TEXT.items()},
}

RULE_LABELS = {
    "pet": gettext_lazy("pets"),
    "smoking": gettext_lazy("smoke-free home"),
    "diet": gettext_lazy("diet"),
    "allergen": gettext_lazy("food allergies"),
    "gender": gettext_lazy("guest gender"),
    "travel": gettext_lazy("travel time"),
    "forbidden": gettext_lazy("exclusions"),
    "language": gettext_lazy("shared language"),
    "pet_wish": gettext_lazy("pets to avoid"),
    "alcohol": gettext_lazy("alcohol-free home"),
    "household": gettext_lazy("household"),
    "children": gettext_lazy("children at home"),
    "step_free": gettext_lazy("step-free access"),
    "prayer": gettext_lazy("space for prayer"),
}
FORBID_LABELS = {
    "coordinator": gettext_lazy("forbidden by a coordinator"),
    "declined": gettext_lazy("declined in an earlier round"),
    "met_before": gettext_lazy("met before"),
    "bad_feedback": gettext_lazy("after negative feedback"),
}
GUEST_PREFERENCES = {
    "any": gettext_lazy("any guest"),
    "female": gettext_lazy("female students only"),
    "male": gettext_lazy("male students only"),
}


def join_items(items: list[str]) -> str:
    return _(", ").join(items)


def _date_text(value: Any) -> str:
    try:
        return day_label(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


COUNT_PARAMS = ("families", "students")


def _reason_params(params: dict[str, Any], reference: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The params of a reason as display text: codes become labels in the current language;
    counts stay numbers (they choose the plural)."""
    genders = dict(Gender.choices)
    pets = dict(Pet.choices)
    text: dict[str, Any] = {}
    for key, value in params.items():
        items = value if isinstance(value, list | tuple) else [value]
        if key == "dates":
            shown = [_date_text(v) for v in items]
            text[key] = join_items(shown) if shown else _("any of the student's dates")
        elif key == "pets":
            text[key] = join_items([str(pets.get(v, v)) for v in items])
        elif key == "diets":
            text[key] = join_items([reference["diets"].get(v) or str(v) for v in items])
        elif key == "allergens":
            text[key] = join_items([reference["allergens"].get(v) or str(v) for v in items])
        elif key == "gender":
            text[key] = join_items([str(genders.get(v, v)) for v in items])
        elif key == "preference":
            # The family's guest preference, or a student's wish about the household/children.
            labels = {**GUEST_PREFERENCES, **dict(HouseholdPreference.choices)}
            labels.update(ChildrenPreference.choices)
            text[key] = join_items([str(labels.get(v, v)) for v in items])
        elif key == "household":
            text[key] = join_items([str(dict(HouseholdGenders.choices).get(v, v)) for v in items])
        elif key == "level":
            text[key] = join_items([str(dict(LanguageLevel.choices).get(v, v)) for v in items])
        elif key == "rules":
            text[key] = join_items([str(RULE_LABELS.get(v, v)) for v in items])
        elif key == "reasons":
            text[key] = join_items([str(FORBID_LABELS.get(v, v)) for v in items])
        elif key == "status":
            text[key] = join_items([str(STATUS_LABELS.get(v, v)) for v in items])
        elif key == "partner":
            # A group's partner by name when the reader's selector added it (partner_names).
            name = params.get("partner_name")
            text[key] = f"{name} (#{value})" if name else f"#{value}"
        elif isinstance(value, dict):
            continue
        elif key in COUNT_PARAMS and isinstance(value, int):
            text[key] = value
        else:
            text[key] = join_items([f"{v:g}" if isinstance(v, float) else str(v) for v in items])
    return text


# The reference tables a reason's params name codes of.
REASON_TABLES = ("diets", "allergens")


def reason_text(
    reason: dict[str, Any], role: str = "any", reference: dict[str, dict[str, str]] | None = None
) -> str:
    """One unplaced reason in the current language: its code's format string over its params.

    ``role`` is the applicant's (student or host): some codes mean different things per side.
    ``reference`` holds ``REASON_TABLES``' names, read once per page by the caller."""
    code = str(reason.get("code", ""))
    params = reason.get("params") or {}
    if code in ("diet", "allergen") and params.get("all_together"):
        code = f"{code}_together"
    fmt = REASON_FORMATS.get((role, code)) or REASON_FORMATS.get(("any", code))
    if fmt is None:
        return str(reason.get("text", "")) or code
    try:
        if reference is None:
            reference = reference_labels(kinds=REASON_TABLES)
        return str(fmt % _reason_params(params, reference))
    except (KeyError, TypeError, ValueError):
        return str(reason.get("text", "")) or code


def unplaced_items(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each unplaced row (a dict with the applicant's ``role`` and the solver's ``reasons``,
    as ``round_selectors.round_detail`` reads them) with its reasons as text in the current
    language, the reference names read once for all."""
    rows = list(rows)
    reference = reference_labels(kinds=REASON_TABLES) if rows else {}
    return [
        {
            **row,
            "reasons": [reason_text(reason, row["role"], reference) for reason in row["reasons"]],
        }
        for row in rows
    ]
