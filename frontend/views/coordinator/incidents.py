"""Incidents for coordinators: the case list by status, one case (follow-up, outcome, notes),
and opening a case about a visit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from frontend.incident_forms import IncidentFollowUpForm, IncidentNoteForm, IncidentReportForm
from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    service_errors,
)
from matching.models import Incident, Proposal
from matching.selectors import incidents as incident_selectors
from matching.selectors import proposals as proposal_selectors
from matching.services import incidents as incident_services


class CoordinatorReportForm(IncidentReportForm):
    about = forms.ChoiceField(
        label=gettext_lazy("About whom"),
        choices=[("student", gettext_lazy("The student")), ("host", gettext_lazy("The family"))],
        widget=forms.RadioSelect,
    )


def _case_or_404(request: HttpRequest, incident_id: int) -> Incident:
    incident = incident_selectors.incident_visible_to(
        user=coordinator_of(request), incident_id=incident_id
    )
    if incident is None:
        raise Http404
    return incident


@coordinator_required
def incidents(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("status", Incident.Status.OPEN)
    if show not in Incident.Status.values:
        show = Incident.Status.OPEN
    cases = incident_selectors.incidents_visible_to(user=coordinator_of(request), status=show)
    context = {"cases": list(cases), "show": show, "tabs": Incident.Status.choices}
    return render(request, "frontend/coordinator/incidents.html", context)


def _case_page(
    request: HttpRequest,
    incident: Incident,
    *,
    follow_form: IncidentFollowUpForm | None = None,
    note_form: IncidentNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial: dict[str, Any] = {
        "status": incident.status,
        "follow_up_on": incident.follow_up_on,
        "outcome": incident.outcome,
    }
    context = {
        "case": incident,
        "follow_form": follow_form or IncidentFollowUpForm(initial=initial),
        "note_form": note_form or IncidentNoteForm(),
    }
    return render(request, "frontend/coordinator/incident.html", context, status=status)


@coordinator_required
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _case_page(request, _case_or_404(request, incident_id))


@coordinator_required
@require_POST
def incident_follow_up(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _case_or_404(request, incident_id)
    form = IncidentFollowUpForm(request.POST)
    if form.is_valid():
        incident_services.incident_update(
            incident_id=incident.pk, by=coordinator_of(request), **form.cleaned_data
        )
        messages.success(request, _("The case is updated."))
        return redirect("frontend:coordinator:incident", incident_id=incident.pk)
    return _case_page(request, incident, follow_form=form, status=400)


@coordinator_required
@require_POST
def incident_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _case_or_404(request, incident_id)
    form = IncidentNoteForm(request.POST)
    if form.is_valid():
        with service_errors(form) as outcome:
            incident_services.incident_note_add(
                incident_id=incident.pk, by=coordinator_of(request), **form.cleaned_data
            )
        if outcome.ok:
            messages.success(request, _("The note is added."))
            return redirect("frontend:coordinator:incident", incident_id=incident.pk)
    return _case_page(request, incident, note_form=form, status=400)


@coordinator_required
@require_http_methods(["GET", "POST"])
def incident_open(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_selectors.proposal_visible_to(
        proposal_id=proposal_id, user=coordinator_of(request)
    )
    if proposal is None or proposal.status == Proposal.Status.DRAFT:
        raise Http404
    form = CoordinatorReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            incident = incident_services.incident_report(
                by=coordinator_of(request), proposal_id=proposal.pk, **form.cleaned_data
            )
        if outcome.ok:
            messages.success(request, _("The case is open."))
            return redirect("frontend:coordinator:incident", incident_id=incident.pk)
    status = 400 if form.is_bound else 200
    context = {"proposal": proposal, "program": proposal.program, "form": form}
    return render(request, "frontend/coordinator/incident_form.html", context, status=status)
