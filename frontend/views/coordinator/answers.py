"""Following the answers: proposals still waiting, one proposal's page, a reminder, an
answer on someone's behalf, a cancellation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    program_or_404,
    service_errors,
)
from frontend.views.coordinator.review import breakdown_bars, weights_of
from frontend.views.coordinator.visit_day import visit_day_context
from matching.models import REASON_MAX_LENGTH, Proposal
from matching.selectors import proposals as proposal_selectors
from matching.selectors import reoffers as reoffer_selectors
from matching.services import proposals as proposal_services

ANSWER_FILTERS = {
    "waiting": gettext_lazy("Waiting for an answer"),
    "all": gettext_lazy("All proposals"),
}
SIDE_LABELS = {"student": gettext_lazy("Student"), "host": gettext_lazy("Family")}


class OnBehalfForm(forms.Form):
    side = forms.ChoiceField(
        label=gettext_lazy("Who answered"),
        choices=[("student", gettext_lazy("The student")), ("host", gettext_lazy("The family"))],
        widget=forms.RadioSelect,
    )
    answer = forms.ChoiceField(
        label=gettext_lazy("Their answer"),
        choices=[("accept", gettext_lazy("Accept")), ("decline", gettext_lazy("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("How the answer came"),
        help_text=gettext_lazy("For the audit trail, e.g. “Phoned the office on Monday morning”."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why cancel"),
        help_text=gettext_lazy("Both sides receive this reason by e-mail."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _proposal_or_404(request: HttpRequest, proposal_id: int) -> Proposal:
    proposal = proposal_selectors.proposal_visible_to(
        proposal_id=proposal_id, user=coordinator_of(request)
    )
    if proposal is None:
        raise Http404
    return proposal


@coordinator_required
def answers(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    show = request.GET.get("show", "waiting")
    if show not in ANSWER_FILTERS:
        show = "waiting"
    rows: list[dict[str, Any]] = []
    for proposal in proposal_selectors.proposals_for_program(program_id=program.pk):
        waiting = proposal_selectors.waiting_for(proposal)
        if show == "waiting" and not waiting:
            continue
        rows.append({"proposal": proposal, "waiting": [SIDE_LABELS[side] for side in waiting]})
    if show == "waiting":
        # The most urgent first: the nearest deadline.
        rows.sort(key=lambda row: (row["proposal"].deadline or timezone.now(), row["proposal"].pk))
    context = {
        "program": program,
        "rows": rows,
        "show": show,
        "filters": ANSWER_FILTERS,
        "reoffers": list(reoffer_selectors.reoffers_of_program(program=program)),
    }
    return render(request, "frontend/coordinator/answers.html", context)


def _proposal_page(
    request: HttpRequest,
    proposal: Proposal,
    *,
    on_behalf_form: OnBehalfForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    waiting = proposal_selectors.waiting_for(proposal)
    initial_side = waiting[0] if waiting else "student"
    statuses = dict(Proposal.Status.choices)
    context = {
        "program": proposal.program,
        "proposal": proposal,
        "waiting": [SIDE_LABELS[side] for side in waiting],
        "is_open": proposal.status in Proposal.OPEN,
        "can_cancel": proposal.status in Proposal.LIVE,
        "events": [
            {
                "event": event,
                "before": statuses.get(event.from_status, event.from_status),
                "after": statuses.get(event.to_status, event.to_status),
            }
            for event in proposal_selectors.proposal_events(proposal_id=proposal.pk)
        ],
        "feedback": list(proposal_selectors.proposal_feedback(proposal_id=proposal.pk)),
        "bars": breakdown_bars(proposal.breakdown, weights_of(proposal.round)),
        "on_behalf_form": on_behalf_form or OnBehalfForm(initial={"side": initial_side}),
        "cancel_form": cancel_form or CancelForm(),
        "conversation_id": proposal_selectors.conversation_id(proposal),
        **visit_day_context(proposal, coordinator_of(request)),
    }
    return render(request, "frontend/coordinator/proposal.html", context, status=status)


@coordinator_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _proposal_page(request, _proposal_or_404(request, proposal_id))


@coordinator_required
@require_POST
def proposal_remind(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    with service_errors() as outcome:
        reminded = proposal_services.proposal_remind(
            proposal_id=proposal.pk, by=coordinator_of(request)
        )
    if outcome.refused:
        messages.error(request, outcome.refused)
    else:
        messages.success(
            request,
            ngettext(
                "A reminder is on its way to %(count)d person.",
                "A reminder is on its way to %(count)d people.",
                len(reminded),
            )
            % {"count": len(reminded)},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = _proposal_url(proposal)
    return redirect(target)


def _proposal_url(proposal: Proposal) -> str:
    return reverse("frontend:coordinator:proposal", kwargs={"proposal_id": proposal.pk})


@coordinator_required
@require_POST
def proposal_answer(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    form = OnBehalfForm(request.POST)
    if form.is_valid():
        with service_errors(form) as outcome:
            proposal_services.proposal_answer_on_behalf(
                proposal_id=proposal.pk, by=coordinator_of(request), **form.cleaned_data
            )
        if outcome.refused:
            form.add_error(None, outcome.refused)
            return _proposal_page(request, proposal, on_behalf_form=form, status=409)
        if outcome.ok:
            messages.success(request, _("The answer is recorded."))
            return redirect(_proposal_url(proposal))
    return _proposal_page(request, proposal, on_behalf_form=form, status=400)


@coordinator_required
@require_POST
def proposal_cancel(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_or_404(request, proposal_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        with service_errors(form) as outcome:
            proposal_services.proposal_cancel(
                proposal_id=proposal.pk,
                by=coordinator_of(request),
                reason=form.cleaned_data["reason"],
            )
        if outcome.refused:
            form.add_error(None, outcome.refused)
            return _proposal_page(request, proposal, cancel_form=form, status=409)
        if outcome.ok:
            messages.success(request, _("The proposal is cancelled."))
            return redirect(_proposal_url(proposal))
    return _proposal_page(request, proposal, cancel_form=form, status=400)
