"""Announcements to everyone in a programme, in Japanese and English."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    program_or_404,
    service_errors,
)
from matching.services import announcements as announcement_services


def one_line(value: str) -> None:
    """An e-mail subject is one header line: a line break would end it (BadHeaderError)."""
    if "\r" in value or "\n" in value:
        raise ValidationError(gettext_lazy("The subject must be a single line."), code="line_break")


class AnnouncementForm(forms.Form):
    subject_ja = forms.CharField(
        label=gettext_lazy("Subject in Japanese"),
        max_length=announcement_services.SUBJECT_MAX,
        validators=[one_line],
        widget=forms.TextInput(attrs={"lang": "ja"}),
    )
    body_ja = forms.CharField(
        label=gettext_lazy("Message in Japanese"),
        max_length=announcement_services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "ja"}),
    )
    subject_en = forms.CharField(
        label=gettext_lazy("Subject in English"),
        max_length=announcement_services.SUBJECT_MAX,
        validators=[one_line],
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    body_en = forms.CharField(
        label=gettext_lazy("Message in English"),
        max_length=announcement_services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def announcement(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            count = announcement_services.announcement_send(
                program=program, by=coordinator_of(request), **form.cleaned_data
            )
        if outcome.ok:
            messages.success(
                request,
                ngettext(
                    "The announcement is on its way to %(count)d person.",
                    "The announcement is on its way to %(count)d people.",
                    count,
                )
                % {"count": count},
            )
            return redirect("frontend:coordinator:program", program_id=program.pk)
    recipients = announcement_services.announcement_recipients(program=program)
    context = {
        "program": program,
        "form": form,
        "recipient_count": len(recipients),
        "japanese_count": sum(1 for user in recipients if user.preferred_language == "ja"),
    }
    status = 400 if form.is_bound else 200
    return render(request, "frontend/coordinator/announcement.html", context, status=status)
