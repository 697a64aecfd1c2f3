"""The profile's steps per role: which fields each step asks, and the form for a step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import HostProfile, Role, StudentProfile
from frontend.profile_forms import LanguagesForm, ProfileStepForm


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    intro: Promise
    fields: tuple[str, ...]


STUDENT_STEPS: tuple[Step, ...] = (
    Step(
        "about",
        _("About you"),
        _("The basics the coordinators need to find a good family for you."),
        ("nationality", "gender", "birth_year", "school"),
    ),
    Step(
        "languages",
        _("Languages"),
        _("Every language you speak, with how well you speak it."),
        ("languages",),
    ),
    Step(
        "food",
        _("Food and allergies"),
        _("So that your family can cook something you can eat safely."),
        ("diet", "allergies", "needs_non_smoking"),
    ),
    Step(
        "home",
        _("Your wishes for the home"),
        _("What you need from the home you visit. We only match you with families that fit."),
        (
            "household_preference",
            "children_preference",
            "avoid_pets",
            "needs_step_free",
            "needs_alcohol_free",
            "needs_prayer_space",
        ),
    ),
    Step(
        "travel",
        _("Home station and travel"),
        _("Where you start from and how far you are happy to travel."),
        ("home_station", "max_travel_minutes"),
    ),
    Step(
        "interests",
        _("Interests and a few words"),
        _("Shared interests make the first conversation easy."),
        ("interests", "bio"),
    ),
)

HOST_STEPS: tuple[Step, ...] = (
    Step(
        "household",
        _("Your household"),
        _("Who lives at home, and whom you would like to welcome."),
        (
            "household_name",
            "household_size",
            "has_children",
            "household_genders",
            "guest_gender_preference",
            "easy_japanese",
        ),
    ),
    Step(
        "languages",
        _("Languages"),
        _("The languages spoken at home, with how well."),
        ("languages",),
    ),
    Step(
        "home",
        _("Pets, smoking and food"),
        _("So we never send a student who is allergic to your cat, or who cannot eat your food."),
        (
            "pets",
            "smoking",
            "diets_supported",
            "allergens_avoidable",
            "step_free",
            "alcohol_free",
            "prayer_space",
        ),
    ),
    Step(
        "station",
        _("Station, address and phone"),
        _("The station tells us who can reach you easily. The address and phone stay private."),
        ("home_station", "address", "phone"),
    ),
    Step(
        "interests",
        _("Interests and a few words"),
        _("Shared interests make the first conversation easy."),
        ("interests", "bio"),
    ),
)


def steps_for(role: str) -> tuple[Step, ...]:
    return STUDENT_STEPS if role == Role.STUDENT else HOST_STEPS


def form_for_step(
    step: Step,
    *,
    role: str,
    profile: StudentProfile | HostProfile | None,
    data: Any = None,
) -> ProfileStepForm | LanguagesForm:
    if step.fields == ("languages",):
        return LanguagesForm(data, role=role, profile=profile)
    return ProfileStepForm(data, role=role, profile=profile, field_names=step.fields)
