"""Forms for answering proposals and for feedback. Shapes only: the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import RATING_MAX, RATING_MIN, REASON_MAX_LENGTH, Feedback


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you declining? (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "It helps the coordinators find a better match next time. "
            "Only the coordinators read it."
        ),
    )


RATING_LABELS = {
    5: _("5 — Wonderful"),
    4: _("4 — Good"),
    3: _("3 — All right"),
    2: _("2 — Not so good"),
    1: _("1 — Bad"),
}


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How was the visit?"),
        # Best first; the range is the model's.
        choices=[(n, RATING_LABELS[n]) for n in range(RATING_MAX, RATING_MIN - 1, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    would_meet_again = forms.TypedChoiceField(
        label=_("Would you like to meet again?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything the coordinators should know? (optional)"),
        required=False,
        max_length=Feedback._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only the coordinators read this."),
    )

    def __init__(self, *args: Any, exchange: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if exchange:  # a language exchange's own words: it goes on, it is not one day
            self.fields["rating"].label = _("How is the language exchange going?")
            self.fields["would_meet_again"].label = _("Would you like to go on meeting?")

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "rating": self.cleaned_data["rating"],
            "would_meet_again": self.cleaned_data["would_meet_again"],
            "comment": self.cleaned_data.get("comment") or "",
        }
