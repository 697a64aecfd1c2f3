"""Forms of the visit day: a family's meeting, an attendance record, a programme's default
meeting per day. Shapes only: the rules are matching's services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Station
from matching.models import Attendance
from matching.visit_models import NOTE_MAX_LENGTH, PLACE_MAX_LENGTH

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(forms.Form):
    time = forms.TimeField(label=_("Meeting time"), widget=TIME_INPUT, input_formats=["%H:%M"])
    place = forms.CharField(
        label=_("Meeting place"),
        max_length=PLACE_MAX_LENGTH,
        help_text=_("The station exit or a landmark the student can find."),
    )


class AttendanceForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened?"), choices=Attendance.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinators read this."),
    )


class MeetingPointForm(forms.Form):
    """A programme's default meeting for one visit day (the day comes from the URL's form)."""

    time = forms.TimeField(label=_("Meeting time"), widget=TIME_INPUT, input_formats=["%H:%M"])
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.all(), required=False
    )
    place_ja = forms.CharField(
        label=_("Exit or landmark (Japanese)"), max_length=PLACE_MAX_LENGTH, required=False
    )
    place_en = forms.CharField(
        label=_("Exit or landmark (English)"), max_length=PLACE_MAX_LENGTH, required=False
    )
