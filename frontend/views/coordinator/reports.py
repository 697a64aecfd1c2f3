"""Reports from chat: the queue, resolving one, closing a conversation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chat import selectors as chat_selectors
from chat import services as chat_services
from chat.models import REASON_MAX_LENGTH
from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    service_errors,
)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("What you did"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseConversationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why close this conversation"),
        help_text=gettext_lazy("Both members see it; they can no longer write."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _report_rows(status: str) -> list[dict[str, Any]]:
    return [
        {
            "report": row.report,
            "messages": [
                {
                    "message": m,
                    "sender": m.sender.name,
                    "reported": m.pk == row.report.message_id,
                }
                for m in row.context
            ],
            "conversation_open": row.report.conversation.is_open,
        }
        for row in chat_selectors.reports_for_coordinator(status=status)
    ]


def _reports_page(
    request: HttpRequest,
    *,
    status: int = 200,
    bound: dict[int, forms.Form] | None = None,
) -> HttpResponse:
    show = "resolved" if request.GET.get("status") == "resolved" else "open"
    rows = _report_rows(show)
    for row in rows:
        report_id = row["report"].pk
        row["resolve_form"] = (bound or {}).get(report_id) or ResolveForm(prefix=f"r{report_id}")
        row["close_form"] = (bound or {}).get(-report_id) or CloseConversationForm(
            prefix=f"c{report_id}"
        )
    context = {"rows": rows, "show": show}
    return render(request, "frontend/coordinator/reports.html", context, status=status)


@coordinator_required
def reports(request: HttpRequest) -> HttpResponse:
    return _reports_page(request)


@coordinator_required
@require_POST
def report_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    form = ResolveForm(request.POST, prefix=f"r{report_id}")
    if form.is_valid():
        with service_errors(form) as outcome:
            chat_services.report_resolve(
                report_id=report_id,
                by=coordinator_of(request),
                resolution=form.cleaned_data["resolution"],
            )
        if outcome.ok:
            messages.success(request, _("The report is resolved."))
            return redirect("frontend:coordinator:reports")
    return _reports_page(request, status=400, bound={report_id: form})


@coordinator_required
@require_POST
def conversation_close(request: HttpRequest, conversation_id: int) -> HttpResponse:
    report_id = int(request.POST.get("report", 0) or 0)
    form = CloseConversationForm(request.POST, prefix=f"c{report_id}")
    if form.is_valid():
        with service_errors(form) as outcome:
            chat_services.conversation_close(
                conversation_id=conversation_id,
                by=coordinator_of(request),
                reason=form.cleaned_data["reason"],
            )
        if outcome.ok:
            messages.success(request, _("The conversation is closed."))
            return redirect("frontend:coordinator:reports")
    return _reports_page(request, status=400, bound={-report_id: form})
