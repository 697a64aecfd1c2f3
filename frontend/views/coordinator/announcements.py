"""Announcements to everyone in a programme, in Japanese and any other of the seven."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from accounts.languages import JAPANESE, LANGUAGES
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
    """A subject and a message per language: Japanese required, the others optional (each
    written whole or left empty; ``announcement_texts`` checks)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in LANGUAGES:
            field = code.replace("-", "_")
            self.fields[f"subject_{field}"] = forms.CharField(
                label=_subject_label(name),
                max_length=announcement_services.SUBJECT_MAX,
                validators=[one_line],
                required=code == JAPANESE,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"body_{field}"] = forms.CharField(
                label=_body_label(name),
                max_length=announcement_services.BODY_MAX,
                required=code == JAPANESE,
                widget=forms.Textarea(attrs={"rows": 4 if code != JAPANESE else 6, "lang": code}),
            )

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            code: (
                data.get(f"subject_{code.replace('-', '_')}", ""),
                data.get(f"body_{code.replace('-', '_')}", ""),
            )
            for code, _name in LANGUAGES
        }

    def clean(self) -> dict[str, Any]:
        """Every error at once: a language half written is named even when Japanese is
        missing too (the service's one check, ``announcement_texts``)."""
        cleaned = super().clean() or {}
        try:
            announcement_services.announcement_texts(self.texts())
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, problems)
        return cleaned


def _subject_label(name: Any) -> Any:
    return format_lazy(gettext_lazy("Subject ({language})"), language=name)


def _body_label(name: Any) -> Any:
    return format_lazy(gettext_lazy("Message ({language})"), language=name)


@coordinator_required
@require_http_methods(["GET", "POST"])
def announcement(request: HttpRequest, program_id: int) -> HttpResponse:
    """The form, and before anything is sent, which text reaches how many readers: for the
    languages written so far (Japanese only, on a first visit); "preview" recounts."""
    program = program_or_404(program_id)
    form = AnnouncementForm(request.POST or None)
    recipients = announcement_services.announcement_recipients(program=program)
    written = [JAPANESE]
    preview = request.POST.get("action") == "preview"
    if request.method == "POST" and form.is_valid():
        written = [code for code, (subject, _body) in form.texts().items() if subject.strip()]
        if not preview:
            with service_errors(form) as outcome:
                count = announcement_services.announcement_send(
                    program=program, by=coordinator_of(request), texts=form.texts()
                )
        if not preview and outcome.ok:
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
    names = dict(LANGUAGES)
    context = {
        "program": program,
        "form": form,
        "recipient_count": len(recipients),
        "reach": [
            {"name": names[row.language], "furigana": row.furigana, "count": row.count}
            for row in announcement_services.announcement_reach(
                recipients=recipients, written=written
            )
        ],
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "frontend/coordinator/announcement.html", context, status=status)
