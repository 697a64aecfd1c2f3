"""The forms of the incident pages; their limits and choices are the models'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from matching.incident_models import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH
from matching.models import Incident


class IncidentReportForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("What kind of problem"),
        choices=Incident.Category.choices,
        widget=forms.RadioSelect,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("How serious"),
        choices=Incident.Severity.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("“High” alerts the coordinators by e-mail at once."),
    )
    description = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Only the association's coordinators read this. The other side is not told."
        ),
    )


class IncidentFollowUpForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Incident.Status.choices)
    follow_up_on = forms.DateField(
        label=gettext_lazy("Follow-up date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=Incident.Outcome.choices,
        help_text=gettext_lazy(
            "“Never pair these two again” keeps them apart in every later round; “Suspend” "
            "deactivates the account the case is about and cancels its coming visits."
        ),
    )


class IncidentNoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Coordinators only; the reporter never sees notes."),
    )
