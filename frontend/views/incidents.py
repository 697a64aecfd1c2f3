"""Reporting a problem about a visit (students and families): the form, and the reports the
caller made about that visit with where each stands."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from frontend.incident_forms import IncidentReportForm
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors
from matching.models import Proposal
from matching.selectors import incidents as incident_selectors
from matching.selectors import proposals as proposal_selectors
from matching.services import incidents as incident_services


@member_required
@require_http_methods(["GET", "POST"])
def visit_incident(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_selectors.proposal_for_party(proposal_id=proposal_id, user=request.user)
    if proposal is None or proposal.status == Proposal.Status.DRAFT:
        raise Http404
    form = IncidentReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            incident_services.incident_report(
                by=request.user, proposal_id=proposal.pk, **form.cleaned_data
            )
        if outcome.ok:
            messages.success(
                request, _("Thank you. A coordinator will look at your report and contact you.")
            )
            return redirect("frontend:visit_incident", proposal_id=proposal.pk)
    reports = list(
        incident_selectors.incidents_visible_to(user=request.user, proposal_id=proposal.pk)
    )
    status = 400 if form.is_bound else 200
    context = {"proposal": proposal, "form": form, "reports": reports}
    return render(request, "frontend/visits/incident.html", context, status=status)
