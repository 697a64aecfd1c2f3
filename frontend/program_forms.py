"""The application form: its shape follows the programme's kind and the user's role. The
rules (dates of the programme, a family's seats, complete profile, applying once) are the
service's; the limits (seats per day) are the model's.

Weekly time slots: the pages offer the reference grid (``accounts.reference_data.WEEKLY_SLOTS``,
also listed by ``GET /api/reference/``), weekday x part of the day, coded ``<day>-<part>``
(``sat-am``, ``mon-eve``); ``application_submit`` refuses any other code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.selectors import reference_choices, weekly_slot_reference
from frontend.formatting import day_label
from matching.models import SEATS_MAX, Application, Program


def weekly_slot_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The grid as grouped choices in the active language: one group per weekday, one choice
    per part of the day."""
    grid = weekly_slot_reference(language=get_language() or "ja")
    parts = {part["code"]: part["name"] for part in grid["day_parts"]}
    return [
        (
            day["name"],
            [
                (slot["code"], parts[slot["part"]])
                for slot in grid["weekly_slots"]
                if slot["weekday"] == day["code"]
            ],
        )
        for day in grid["weekdays"]
    ]


class WeeklySlotsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes grouped per weekday, each weekday its own fieldset and legend, inside the
    field's fieldset (``partials/field.html``): a screen reader says "Monday, Morning"."""

    template_name = "frontend/widgets/weekly_slots.html"


class ApplyForm(forms.Form):
    def __init__(self, *args: Any, program: Program, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.user = user
        self.is_exchange = program.kind == Program.Kind.LANGUAGE_EXCHANGE
        if not self.is_exchange or len(program.dates) > 1:
            self.fields["dates"] = forms.TypedMultipleChoiceField(
                label=_("The days you can make"),
                choices=[(d, day_label(d)) for d in program.dates],
                coerce=dt.date.fromisoformat,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose every day that works for you: it makes a match more likely."),
            )
        if not self.is_exchange and user.role == Role.STUDENT and len(program.dates) > 1:
            self.fields["date_ranking"] = forms.TypedChoiceField(
                label=_("Your first choice"),
                choices=[("", _("No preference")), *[(d, day_label(d)) for d in program.dates]],
                coerce=dt.date.fromisoformat,
                empty_value=None,
                required=False,
                help_text=_("The day you would like most, if more than one works for you."),
            )
        if not self.is_exchange and user.role == Role.HOST:
            self.fields["capacity"] = forms.TypedChoiceField(
                label=_("Students you can welcome on each day"),
                choices=[(n, str(n)) for n in range(1, SEATS_MAX + 1)],
                coerce=int,
                widget=forms.RadioSelect,
                initial=1,
            )
        if self.is_exchange:
            languages = sorted(reference_choices("languages"), key=lambda c: c[1])
            size = {"size": 8}
            self.fields["teaches"] = forms.MultipleChoiceField(
                label=_("Languages you can teach"),
                choices=languages,
                widget=forms.SelectMultiple(attrs=size),
                help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
            )
            self.fields["learns"] = forms.MultipleChoiceField(
                label=_("Languages you want to learn"),
                choices=languages,
                widget=forms.SelectMultiple(attrs=size),
            )
            self.fields["format"] = forms.ChoiceField(
                label=_("How you would like to meet"),
                choices=Application.Format.choices,
                widget=forms.RadioSelect,
                initial=Application.Format.EITHER,
            )
            self.fields["time_slots"] = forms.MultipleChoiceField(
                label=_("When you are free each week"),
                choices=weekly_slot_choices(),
                widget=WeeklySlotsWidget,
                help_text=_(
                    "Tick every time you could meet. Partners are paired only when they share "
                    "at least one time, so more times mean a better chance."
                ),
                error_messages={
                    "required": _("Choose at least one time in the week when you are free."),
                    "invalid_choice": _("%(value)s is not one of the weekly times."),
                },
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {}
        if "dates" in self.fields:
            kwargs["dates"] = list(data.get("dates") or [])
        if "capacity" in self.fields:
            kwargs["capacity"] = data.get("capacity")
        if data.get("date_ranking"):
            kwargs["date_ranking"] = [data["date_ranking"]]
        if self.is_exchange:
            kwargs["teaches"] = list(data.get("teaches") or [])
            kwargs["learns"] = list(data.get("learns") or [])
            kwargs["format"] = data.get("format")
            kwargs["time_slots"] = data.get("time_slots") or []
        return kwargs
