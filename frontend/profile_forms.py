"""The profile, as short steps. Each step is a form over some of the profile's fields; it
checks each field (the model's limits, the reference tables' codes, a level goes with a
language) and hands clean values to ``accounts.services.profile_save(partial=True)``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import (
    Allergen,
    Between,
    ChildrenPreference,
    Gender,
    GuestGenderPreference,
    HostProfile,
    HouseholdGenders,
    HouseholdPreference,
    LanguageLevel,
    Pet,
    Role,
    StudentProfile,
)
from accounts.selectors import HOST_REQUIRED, STUDENT_REQUIRED, reference_choices
from frontend.stations import station_choices

MAX_LANGUAGE_ROWS = 8


def _checkboxes(
    label: Any, choices: list[tuple[str, Any]], help_text: Any = ""
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _yes_no(label: Any, help_text: Any = "") -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=help_text)


def _from_model(role: str, name: str, **kwargs: Any) -> forms.Field:
    """The model field's own form field: its length limit, and its rules (a range, a phone's
    shape), which a plain form would not run by itself."""
    model = StudentProfile if role == Role.STUDENT else HostProfile
    # Callers name the profile's own columns, never a relation's reverse side.
    model_field = cast(models.Field[Any, Any], model._meta.get_field(name))
    field = model_field.formfield(**kwargs)
    if field is None:  # only an editable=False field has none
        raise KeyError(name)
    field.validators.extend(v for v in model_field.validators if v not in field.validators)
    return field


def _number(role: str, name: str, label: Any, **attrs: str) -> forms.Field:
    return _from_model(
        role,
        name,
        label=label,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **attrs}),
    )


def build_field(name: str, role: str) -> forms.Field:
    """The form field for one profile field (labels and choices in the active language)."""
    if name == "nationality":
        return forms.ChoiceField(
            label=_("Nationality"), choices=[("", _("Choose a country")), *list(countries)]
        )
    if name == "gender":
        return forms.ChoiceField(
            label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect
        )
    if name == "birth_year":
        return _number(role, name, _("Year of birth"), autocomplete="bday-year")
    if name == "school":
        return _from_model(role, name, label=_("School"))
    if name == "diet":
        return _checkboxes(
            _("My diet"), reference_choices("diets"), _("Leave empty if you eat everything.")
        )
    if name == "allergies":
        return _checkboxes(
            _("My allergies"),
            reference_choices("allergens"),
            _(
                "Foods and animals you react to. "
                "We only match you with families who can avoid them."
            ),
        )
    if name == "needs_non_smoking":
        return _yes_no(_("I need a smoke-free home"))
    if name == "avoid_pets":
        return _checkboxes(
            _("Pets I would rather not live with"),
            list(Pet.choices),
            _("Even without an allergy: we will not send you to a home with these pets."),
        )
    if name == "household_preference":
        return forms.ChoiceField(
            label=_("The household I would feel at home in"),
            choices=HouseholdPreference.choices,
            widget=forms.RadioSelect,
        )
    if name == "children_preference":
        return forms.ChoiceField(
            label=_("Children at home"),
            choices=ChildrenPreference.choices,
            widget=forms.RadioSelect,
        )
    if name == "needs_step_free":
        return _yes_no(_("I need step-free access"), _("No stairs or steps to get in."))
    if name == "needs_alcohol_free":
        return _yes_no(_("I need a home without alcohol"))
    if name == "needs_prayer_space":
        return _yes_no(_("I need a quiet space for prayer"))
    if name == "household_genders":
        return forms.ChoiceField(
            label=_("Who lives at home"), choices=HouseholdGenders.choices, widget=forms.RadioSelect
        )
    if name == "easy_japanese":
        return _yes_no(
            _("We can speak slowly, in easy Japanese"),
            _("Then a student who has just begun Japanese can visit you too."),
        )
    if name == "step_free":
        return _yes_no(_("Our home has step-free access"))
    if name == "alcohol_free":
        return _yes_no(_("There is no alcohol in our home"))
    if name == "prayer_space":
        return _yes_no(_("We can offer a quiet space for prayer"))
    if name == "home_station":
        return forms.ChoiceField(
            label=_("Nearest station"),
            choices=station_choices(),
            widget=forms.Select(attrs={"data-station-filter": _("Search stations")}),
        )
    if name == "max_travel_minutes":
        field = _number(role, name, _("Longest travel time (minutes, one way)"))
        limits = next(v for v in field.validators if isinstance(v, Between))
        field.help_text = _("Between %(low)d and %(high)d minutes.") % {
            "low": limits.low,
            "high": limits.high,
        }
        return field
    if name == "interests":
        return _checkboxes(
            _("Interests"),
            reference_choices("interests"),
            _("We try to match people who share something."),
        )
    if name == "bio":
        return _from_model(
            role,
            name,
            label=_("About our family") if role == Role.HOST else _("About me"),
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("A few friendly sentences: who you are and what you would like to share."),
        )
    if name == "household_name":
        return _from_model(
            role,
            name,
            label=_("Household name"),
            help_text=_("For example, “The Tanaka family”."),
        )
    if name == "household_size":
        return _number(role, name, _("People living at home"))
    if name == "has_children":
        return _yes_no(_("Children live at home"))
    if name == "guest_gender_preference":
        return forms.ChoiceField(
            label=_("Guest students"),
            choices=GuestGenderPreference.choices,
            widget=forms.RadioSelect,
        )
    if name == "pets":
        return _checkboxes(_("Pets at home"), list(Pet.choices))
    if name == "smoking":
        return _yes_no(_("Someone smokes at home"))
    if name == "diets_supported":
        return _checkboxes(_("Diets we can cater for"), reference_choices("diets"))
    if name == "allergens_avoidable":
        return _checkboxes(
            _("Allergens we can keep out of the food"),
            reference_choices("allergens", kind=Allergen.Kind.FOOD),
        )
    if name == "address":
        return _from_model(
            role,
            name,
            label=_("Address"),
            help_text=_(
                "Private: shown only to the coordinators "
                "and to a student once a visit is confirmed."
            ),
            widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        )
    if name == "phone":
        return _from_model(
            role,
            name,
            label=_("Phone"),
            help_text=_("Private, like the address."),
            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        )
    raise KeyError(name)


# Fields whose empty value means "not answered yet": left out of a save instead of sent empty.
_OMIT_WHEN_EMPTY = {
    "nationality",
    "gender",
    "birth_year",
    "home_station",
    "max_travel_minutes",
    "household_size",
    "guest_gender_preference",
    "household_preference",
    "children_preference",
    "household_genders",
}


class ProfileStepForm(forms.Form):
    """One step of a profile: the fields it lists, prefilled from the stored profile."""

    field_names: tuple[str, ...] = ()

    def __init__(
        self,
        *args: Any,
        role: str,
        profile: StudentProfile | HostProfile | None,
        field_names: tuple[str, ...],
        **kwargs: Any,
    ) -> None:
        self.role = role
        self.field_names = field_names
        kwargs.setdefault("initial", _initial(profile, field_names))
        super().__init__(*args, **kwargs)
        required = STUDENT_REQUIRED if role == Role.STUDENT else HOST_REQUIRED
        for name in field_names:
            field = build_field(name, role)
            field.required = name in required
            self.fields[name] = field

    def service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.field_names:
            value = self.cleaned_data.get(name)
            if name in _OMIT_WHEN_EMPTY and value in (None, ""):
                continue
            data[name] = value if value is not None else ""
        return data


class LanguagesForm(forms.Form):
    """Languages with levels, as rows of (language, level); empty rows are ignored."""

    is_languages = True

    def __init__(
        self, *args: Any, role: str, profile: StudentProfile | HostProfile | None, **kwargs: Any
    ) -> None:
        self.role = role
        stored = list(getattr(profile, "languages", None) or [])
        self.row_count = min(MAX_LANGUAGE_ROWS, max(3, len(stored) + 2))
        initial: dict[str, str] = {}
        for i, item in enumerate(stored[: self.row_count]):
            initial[f"lang_{i}"] = item.get("code", "")
            initial[f"level_{i}"] = item.get("level", "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # Sorted by the name the reader sees, not by the English name.
        named = sorted(reference_choices("languages"), key=lambda c: str(c[1]))
        language_choices: list[tuple[str, Any]] = [("", _("Choose a language")), *named]
        level_choices = [("", _("Choose a level")), *LanguageLevel.choices]
        for i in range(self.row_count):
            self.fields[f"lang_{i}"] = forms.ChoiceField(
                label=_("Language %(n)d") % {"n": i + 1}, choices=language_choices, required=False
            )
            self.fields[f"level_{i}"] = forms.ChoiceField(
                label=_("Level of language %(n)d") % {"n": i + 1},
                choices=level_choices,
                required=False,
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"lang_{i}"], self[f"level_{i}"]) for i in range(self.row_count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = 0
        for i in range(self.row_count):
            code, level = data.get(f"lang_{i}"), data.get(f"level_{i}")
            if code and not level:
                self.add_error(f"level_{i}", _("Choose a level for this language."))
            elif level and not code:
                self.add_error(f"lang_{i}", _("Choose the language for this level."))
            if code:
                chosen += 1
        if not chosen:
            raise forms.ValidationError(_("Add at least one language you speak."))
        # The model's rules on the list (each language once).
        rows = self.service_data()["languages"]
        model = StudentProfile if self.role == Role.STUDENT else HostProfile
        for validate in model._meta.get_field("languages").validators:
            try:
                validate(rows)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data

    def service_data(self) -> dict[str, Any]:
        rows = []
        for i in range(self.row_count):
            code = self.cleaned_data.get(f"lang_{i}")
            if code:
                rows.append({"code": code, "level": self.cleaned_data.get(f"level_{i}")})
        return {"languages": rows}


def _initial(
    profile: StudentProfile | HostProfile | None, names: tuple[str, ...]
) -> dict[str, Any]:
    if profile is None:
        return {}
    initial: dict[str, Any] = {}
    for name in names:
        if name == "home_station":
            initial[name] = profile.home_station_id or ""
        elif name == "nationality":
            nationality = getattr(profile, "nationality", None)
            initial[name] = nationality.code if nationality else ""
        else:
            initial[name] = getattr(profile, name)
    return initial
