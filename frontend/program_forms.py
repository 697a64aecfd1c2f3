"""The application form: its shape follows the programme's kind and the user's role. The
rules (dates of the programme, seats 1-3, complete profile, applying once) are the
service's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, SpokenLanguage, User
from frontend.formatting import day_label
from matching.models import Application, Program


class ApplyForm(forms.Form):
    def __init__(self, *args: Any, program: Program, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.user = user
        self.is_exchange = program.kind == Program.Kind.LANGUAGE_EXCHANGE
        if not self.is_exchange or len(program.dates) > 1:
            self.fields["dates"] = forms.MultipleChoiceField(
                label=_("The days you can make"),
                choices=[(d, day_label(d)) for d in program.dates],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Choose every day that works for you: it makes a match more likely."),
            )
        if not self.is_exchange and user.role == Role.HOST:
            self.fields["capacity"] = forms.TypedChoiceField(
                label=_("Students you can welcome on each day"),
                choices=[(1, "1"), (2, "2"), (3, "3")],
                coerce=int,
                widget=forms.RadioSelect,
                initial=1,
            )
        if self.is_exchange:
            languages = sorted(
                ((r.code, r.label()) for r in SpokenLanguage.objects.all()), key=lambda c: c[1]
            )
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

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {}
        if "dates" in self.fields:
            kwargs["dates"] = list(data.get("dates") or [])
        if "capacity" in self.fields:
            kwargs["capacity"] = data.get("capacity")
        if self.is_exchange:
            kwargs["teaches"] = list(data.get("teaches") or [])
            kwargs["learns"] = list(data.get("learns") or [])
            kwargs["format"] = data.get("format")
        return kwargs
