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

from accounts.formatting import day_label
from accounts.models import LanguageLevel, Role, User
from accounts.selectors import profile_of, reference_choices, weekly_slot_reference
from matching.models import SEATS_MAX, Application, GroupRequest, Program


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


class LanguageChipsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes drawn as chips: the languages of the person's profile first, every other
    one folded under "Other languages" (opened when one of them is ticked)."""

    template_name = "frontend/widgets/language_chips.html"

    def __init__(self, featured: list[str]) -> None:
        super().__init__()
        self.featured = featured

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in (value or [])}
        context["widget"]["featured"] = self.featured
        context["widget"]["more_open"] = not self.featured or bool(chosen - set(self.featured))
        return context


# The "not alone" wish, asked on the application form and changed after applying.
NOT_ALONE_LABEL = _("I would rather not visit alone")
NOT_ALONE_HELP = _(
    "For beginners: you are placed only where another student visits the same family on the "
    "same day. This can make a match less likely."
)

# A language of the profile at these levels is one the person can teach; below, one to learn.
TEACHING_LEVELS = (LanguageLevel.NATIVE, LanguageLevel.ADVANCED)


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
        if not self.is_exchange and user.role == Role.STUDENT:
            self.fields["not_alone"] = forms.BooleanField(
                label=NOT_ALONE_LABEL, required=False, help_text=NOT_ALONE_HELP
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
            spoken = [
                row
                for row in (getattr(profile_of(user), "languages", None) or [])
                if isinstance(row, dict) and row.get("code")
            ]
            mine = [row["code"] for row in spoken]
            self.fields["teaches"] = forms.MultipleChoiceField(
                label=_("Languages you can teach"),
                choices=languages,
                widget=LanguageChipsWidget(mine),
                initial=[r["code"] for r in spoken if r.get("level") in TEACHING_LEVELS],
                help_text=_("Your profile's languages come first; tick as many as you like."),
            )
            self.fields["learns"] = forms.MultipleChoiceField(
                label=_("Languages you want to learn"),
                choices=languages,
                widget=LanguageChipsWidget(mine),
                initial=[r["code"] for r in spoken if r.get("level") not in TEACHING_LEVELS],
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
        if data.get("not_alone"):
            kwargs["not_alone"] = True
        if self.is_exchange:
            kwargs["teaches"] = list(data.get("teaches") or [])
            kwargs["learns"] = list(data.get("learns") or [])
            kwargs["format"] = data.get("format")
            kwargs["time_slots"] = data.get("time_slots") or []
        return kwargs


class GroupInviteForm(forms.Form):
    """A friend or sibling to visit together with, by e-mail address or name in one field (a
    phone has room for one); ``group_request_create`` finds them among the programme's
    students."""

    friend = forms.CharField(
        label=_("Your friend's e-mail address or name"),
        max_length=max(
            User._meta.get_field("email").max_length or 254,
            User._meta.get_field("name").max_length or 150,
        ),
        help_text=_("They must apply to this programme too, for at least one of your days."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    relation = forms.ChoiceField(
        label=_("They are your"),
        choices=GroupRequest.Relation.choices,
        initial=GroupRequest.Relation.FRIEND,
        widget=forms.RadioSelect,
    )

    def service_kwargs(self) -> dict[str, Any]:
        friend: str = self.cleaned_data["friend"].strip()
        who = {"email": friend} if "@" in friend else {"name": friend}
        return {**who, "relation": self.cleaned_data["relation"]}


class NotAloneForm(forms.Form):
    """The "not alone" wish of a student who has applied (``application_update``): a
    checkbox, so ticked is on and anything else off."""

    not_alone = forms.BooleanField(label=NOT_ALONE_LABEL, required=False, help_text=NOT_ALONE_HELP)
