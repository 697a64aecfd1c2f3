"""Programmes: the list, creating one, its page (with its re-offer settings), closing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.languages import JAPANESE, LANGUAGES
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

REOFFER_LABELS = {
    "reoffer": gettext_lazy("Offer freed seats again"),
    "reoffer_lead_days": gettext_lazy("Stop offering again this many days before a visit day"),
    "reoffer_hours": gettext_lazy("Hours to answer a re-offer"),
}
REOFFER_HELP = {
    "reoffer": gettext_lazy(
        "When a proposal is declined or expires, or a visit is cancelled, the seat goes to the "
        "best free student who fits it."
    ),
}


class ReofferSettingsForm(forms.ModelForm[Program]):
    """The re-offer settings of a programme; the limits are the model's."""

    class Meta:
        model = Program
        fields = ["reoffer", "reoffer_lead_days", "reoffer_hours"]
        labels = REOFFER_LABELS
        help_texts = REOFFER_HELP


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
            "unplaced_twice_first",
            "reoffer",
            "reoffer_lead_days",
        ]
        labels = {
            "name": gettext_lazy("Name"),
            "response_hours": gettext_lazy("Hours to answer a proposal"),
            "description": gettext_lazy("Description"),
            "language_level": gettext_lazy("Language every pair must share"),
            "allow_easy_japanese": gettext_lazy("Easy Japanese is enough"),
            "unplaced_twice_first": gettext_lazy("Anyone unplaced twice is placed first"),
            **REOFFER_LABELS,
        }
        help_texts = {
            **REOFFER_HELP,
            "unplaced_twice_first": gettext_lazy(
                "A student left without a visit in two earlier rounds (of any programme) is "
                "placed before anyone else wherever a family fits."
            ),
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
        "unplaced_twice_first",
        "description",
        "reoffer",
        "reoffer_lead_days",
    ]

    def clean_language_level(self) -> str:
        value: str = self.cleaned_data.get("language_level") or ""
        return value or str(Program._meta.get_field("language_level").get_default())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out, the programme keeps the model's default rule (as through the API).
        self.fields["language_level"].required = False
        # Left empty, the lead time is the model's default.
        self.fields["reoffer_lead_days"].required = False
        self.fields["name"].label = gettext_lazy("Name (Japanese)")
        self.fields["description"].label = gettext_lazy("Description (Japanese)")
        # The name and description in each other language: optional; a reader without theirs
        # gets English, or Japanese (Program.text_in).
        for code, language in LANGUAGES:
            if code == JAPANESE:
                continue
            field = code.replace("-", "_")
            self.fields[f"name_{field}"] = forms.CharField(
                label=format_lazy(gettext_lazy("Name ({language})"), language=language),
                required=False,
                max_length=program_services.NAME_MAX,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"description_{field}"] = forms.CharField(
                label=format_lazy(gettext_lazy("Description ({language})"), language=language),
                required=False,
                max_length=program_services.DESCRIPTION_MAX,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
            )

    def service_kwargs(self) -> dict[str, Any]:
        """``program_create``'s arguments: the Japanese fields, and ``translations``."""
        data = dict(self.cleaned_data)
        translations = {
            code: {
                part: data.pop(f"{part}_{code.replace('-', '_')}", "")
                for part in ("name", "description")
            }
            for code, _language in LANGUAGES
            if code != JAPANESE
        }
        return {**data, "translations": translations}

    def clean_reoffer_lead_days(self) -> int:
        value: int | None = self.cleaned_data.get("reoffer_lead_days")
        default: int = Program._meta.get_field("reoffer_lead_days").get_default()
        return default if value is None else value

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
                by=coordinator_of(request), **form.service_kwargs()
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


def _program_page(
    request: HttpRequest,
    program_id: int,
    *,
    reoffer_form: ReofferSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    program = _program_with_counts_or_404(request, program_id)
    rounds = list(round_selectors.rounds_of_program(program=program))
    context = {
        "program": program,
        "days": program.days,
        "rounds": rounds,
        "comparable": [
            r for r in rounds if r.status in (Round.Status.DRAFT, Round.Status.PUBLISHED)
        ],
        "reoffer_form": reoffer_form or ReofferSettingsForm(instance=program),
    }
    return render(request, "frontend/coordinator/program_detail.html", context, status=status)


@coordinator_required
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    return _program_page(request, program_id)


@coordinator_required
@require_POST
def program_reoffer(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    form = ReofferSettingsForm(request.POST, instance=Program.objects.get(pk=program.pk))
    if form.is_valid():
        program_services.program_reoffer_settings(
            program=program, by=coordinator_of(request), **form.cleaned_data
        )
        messages.success(request, _("The re-offer settings are saved."))
        return redirect("frontend:coordinator:program", program_id=program.pk)
    return _program_page(request, program_id, reoffer_form=form, status=400)


@coordinator_required
@require_POST
def program_close(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    program_services.program_close(program=program, by=coordinator_of(request))
    messages.success(request, _("The programme “%(name)s” is closed.") % {"name": program})
    return redirect("frontend:coordinator:program", program_id=program.pk)
