"""Programmes: the list, creating one, its page, closing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    mark_accepting,
    program_or_404,
    service_errors,
)
from matching.models import Program, Round
from matching.selectors import programs as program_selectors
from matching.selectors import rounds as round_selectors
from matching.services import programs as program_services


class ProgramForm(forms.ModelForm[Program]):
    """The fields' limits are the model's (``full_clean`` runs its validators); the dates and
    the closing time are parsed here, and judged by ``program_create``."""

    # Declared, so that the radio buttons offer no empty choice.
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=Program.Kind.choices, widget=forms.RadioSelect
    )
    dates = forms.CharField(
        label=gettext_lazy("Dates"),
        help_text=gettext_lazy(
            "One date per line, as YYYY-MM-DD. For a year-long pairing, the day the pairs "
            "first meet."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    apply_until = forms.DateTimeField(
        label=gettext_lazy("Applications close"),
        help_text=gettext_lazy("Before the first date. Japan time."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    class Meta:
        model = Program
        # ``dates`` and ``apply_until`` are the form's own fields above: the service stores them.
        fields = [
            "name",
            "kind",
            "response_hours",
            "description",
            "language_level",
            "allow_easy_japanese",
        ]
        labels = {
            "name": gettext_lazy("Name"),
            "response_hours": gettext_lazy("Hours to answer a proposal"),
            "description": gettext_lazy("Description"),
            "language_level": gettext_lazy("Language every pair must share"),
            "allow_easy_japanese": gettext_lazy("Easy Japanese is enough"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = [
        "name",
        "kind",
        "dates",
        "apply_until",
        "response_hours",
        "language_level",
        "allow_easy_japanese",
        "description",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out, the programme keeps the model's default rule (as through the API).
        self.fields["language_level"].required = False

    def clean_language_level(self) -> str:
        value: str = self.cleaned_data.get("language_level") or ""
        return value or str(Program._meta.get_field("language_level").get_default())

    def clean_apply_until(self) -> dt.datetime:
        # A time whose UTC value is past year 9999 (9999-12-31T23:59-12:00) cannot be stored.
        value: dt.datetime = self.cleaned_data["apply_until"]
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError(
                _("Enter a date and time before the year 9999."), code="overflow"
            ) from None
        return value

    def clean_dates(self) -> list[dt.date]:
        text: str = self.cleaned_data["dates"]
        parts = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
        field = forms.DateField(input_formats=["%Y-%m-%d"])
        if len(parts) > Program.MAX_DATES:
            raise forms.ValidationError(_("Give at most %(n)d dates.") % {"n": Program.MAX_DATES})
        days = []
        for part in parts:
            try:
                days.append(field.clean(part))
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("%(value)r is not a date (YYYY-MM-DD).") % {"value": part}
                ) from exc
        return days


@coordinator_required
def programs(request: HttpRequest) -> HttpResponse:
    rows = [
        mark_accepting(p)
        for p in program_selectors.programs_visible_to(user=coordinator_of(request))
    ]
    return render(request, "frontend/coordinator/programs.html", {"programs": rows})


@coordinator_required
@require_http_methods(["GET", "POST"])
def program_create(request: HttpRequest) -> HttpResponse:
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            program = program_services.program_create(
                by=coordinator_of(request), **form.cleaned_data
            )
        if outcome.ok:
            messages.success(request, _("The programme “%(name)s” is open.") % {"name": program})
            return redirect("frontend:coordinator:program", program_id=program.pk)
    status = 400 if form.is_bound else 200
    return render(request, "frontend/coordinator/program_form.html", {"form": form}, status=status)


def _program_with_counts_or_404(request: HttpRequest, program_id: int) -> Program:
    """The programme with ``student_count`` and ``host_count`` (as the list shows them)."""
    return mark_accepting(
        program_selectors.program_get_visible(user=coordinator_of(request), program_id=program_id)
    )


@coordinator_required
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_with_counts_or_404(request, program_id)
    rounds = list(round_selectors.rounds_of_program(program=program))
    context = {
        "program": program,
        "days": program.days,
        "rounds": rounds,
        "comparable": [
            r for r in rounds if r.status in (Round.Status.DRAFT, Round.Status.PUBLISHED)
        ],
    }
    return render(request, "frontend/coordinator/program_detail.html", context)


@coordinator_required
@require_POST
def program_close(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    program_services.program_close(program=program, by=coordinator_of(request))
    messages.success(request, _("The programme “%(name)s” is closed.") % {"name": program})
    return redirect("frontend:coordinator:program", program_id=program.pk)
