"""The profile in short steps, saved one step at a time through ``profile_save``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import LanguageLevel, Pet, User
from accounts.selectors import (
    HOST_REQUIRED,
    STUDENT_REQUIRED,
    profile_missing_fields,
    profile_of,
    reference_labels,
)
from accounts.services import profile_save
from frontend.profile_forms import build_field
from frontend.profile_steps import Step, form_for_step, steps_for
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors

# Profile fields that store codes of a reference table (accounts.selectors.REFERENCE_TABLES).
CODE_TABLES = {
    "diet": "diets",
    "diets_supported": "diets",
    "allergies": "allergens",
    "allergens_avoidable": "allergens",
    "interests": "interests",
}


def completeness(user: User) -> dict[str, Any]:
    """How much of the required profile is filled in, and which steps still need work."""
    required = STUDENT_REQUIRED if user.is_student else HOST_REQUIRED
    missing = profile_missing_fields(profile_of(user), user.role)
    done = len(required) - len(missing)
    steps = steps_for(user.role)
    return {
        "done": done,
        "total": len(required),
        "percent": round(100 * done / len(required)),
        "complete": not missing,
        "missing_steps": [s for s in steps if set(s.fields) & set(missing)],
    }


@member_required
def overview(request: AuthedRequest) -> HttpResponse:
    user = request.user
    profile = profile_of(user)
    steps = steps_for(user.role)
    missing = set(profile_missing_fields(profile, user.role))
    summary = [
        {
            "step": step,
            # Nothing saved yet: every step is still to do, required fields or not.
            "incomplete": profile is None or bool(set(step.fields) & missing),
            "items": [_summary_item(profile, name, user.role) for name in step.fields],
        }
        for step in steps
    ]
    return render(
        request,
        "frontend/profile/overview.html",
        {
            "summary": summary,
            "completeness": completeness(user),
            "steps": steps,
            "next_step": next((part["step"] for part in summary if part["incomplete"]), None),
        },
    )


@member_required
def step(request: AuthedRequest, step: str) -> HttpResponse:
    user = request.user
    steps = steps_for(user.role)
    index = next((i for i, s in enumerate(steps) if s.slug == step), None)
    if index is None:
        raise Http404
    current: Step = steps[index]
    profile = profile_of(user)
    form = form_for_step(
        current,
        role=user.role,
        profile=profile,
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        with service_errors(form, field_map={"languages": None}) as outcome:
            profile_save(user=user, data=form.service_data(), partial=True)
        if outcome.ok:
            messages.success(request, _("Saved."))
            if index + 1 < len(steps):
                return redirect("frontend:profile_step", step=steps[index + 1].slug)
            return redirect("frontend:profile")
    missing = set(profile_missing_fields(profile, user.role))
    return render(
        request,
        "frontend/profile/step.html",
        {
            "form": form,
            "step": current,
            "steps": steps,
            "index": index,
            "number": index + 1,
            "previous": steps[index - 1] if index else None,
            "is_last": index + 1 == len(steps),
            "incomplete_slugs": {
                s.slug for s in steps if profile is None or set(s.fields) & missing
            },
            "completeness": completeness(user),
        },
    )


def _summary_item(profile: Any, name: str, role: str) -> dict[str, Any]:
    """A field's label and a readable value for the overview."""
    label = build_label(name, role)
    value: Any = getattr(profile, name, None) if profile is not None else None
    if profile is None:
        shown = ""
    elif name == "languages":
        names = reference_labels(kinds=("languages",))["languages"]
        levels = {code: str(label) for code, label in LanguageLevel.choices}
        shown = ", ".join(
            f"{names.get(i['code'], i['code'])} ({levels.get(i['level'], i['level'])})"
            for i in value or []
        )
    elif name in CODE_TABLES:
        names = reference_labels(kinds=(CODE_TABLES[name],))[CODE_TABLES[name]]
        shown = ", ".join(names.get(code, code) for code in value or [])
    elif name in ("pets", "avoid_pets"):
        labels = dict(Pet.choices)
        shown = ", ".join(str(labels.get(v, v)) for v in value or [])
    elif name == "home_station":
        shown = profile.home_station.label() if profile.home_station_id else ""
    elif name == "nationality":
        shown = profile.nationality.name if profile.nationality else ""
    elif name in (
        "gender",
        "guest_gender_preference",
        "household_preference",
        "children_preference",
        "household_genders",
    ):
        shown = getattr(profile, f"get_{name}_display")() if value else ""
    elif isinstance(value, bool):
        shown = _("Yes") if value else _("No")
    else:
        shown = "" if value is None else str(value)
    return {"name": name, "label": label, "value": shown}


def build_label(name: str, role: str) -> str:
    if name == "languages":
        return _("Languages")
    return str(build_field(name, role).label)
