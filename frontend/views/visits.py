"""A confirmed visit's page: who, when and where to meet (a map link, tap-to-call numbers),
the calendar file, the family's change of the meeting, what happened on the day, and
feedback once it took place. Through matching's services and selectors only."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from frontend.proposal_forms import FeedbackForm
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors
from frontend.views.proposals import Labels, card, confirmed_or_404
from frontend.visit_forms import AttendanceForm, MeetingForm
from matching.models import Program, Proposal
from matching.notifications import visit_ics
from matching.selectors import proposals as proposal_selectors
from matching.selectors.attendance import attendance_open, visit_records
from matching.selectors.meeting import meeting_for
from matching.services import attendance as attendance_services
from matching.services import feedback as feedback_services
from matching.services import meeting as meeting_services


def _is_exchange(proposal: Proposal) -> bool:
    return proposal.program.kind == Program.Kind.LANGUAGE_EXCHANGE


def tel_href(number: str) -> str:
    """A ``tel:`` link of a phone number as people write it (digits and a leading +)."""
    digits = re.sub(r"[^\d+]", "", number)
    return f"tel:{digits}" if digits.strip("+") else ""


def _page(
    request: AuthedRequest,
    proposal: Proposal,
    *,
    meeting_form: forms.Form | None = None,
    attendance_form: forms.Form | None = None,
    feedback_form: forms.Form | None = None,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    side = proposal_selectors.side_of(proposal=proposal, user=user)
    meeting = meeting_for(proposal=proposal, viewer=user)
    counterpart = proposal_selectors.counterpart(proposal=proposal, viewer=user)
    mine = [
        f
        for f in proposal_selectors.proposal_feedback(proposal_id=proposal.pk)
        if f.author_id == user.pk
    ]
    can_change = side == "host" and timezone.now() < meeting_services.meeting_cutoff(proposal.date)
    if can_change and meeting_form is None:
        meeting_form = MeetingForm(initial={"time": meeting.time, "place": meeting.place})
    records = visit_records(proposal_ids=[proposal.pk]).get(proposal.pk, {})
    recording = attendance_open(proposal, today=today)
    if recording and attendance_form is None:
        attendance_form = AttendanceForm(initial={"outcome": records.get(side or "")})
    opens = feedback_services.feedback_opens_on(proposal)
    asked = opens <= today and feedback_services.feedback_asked(proposal=proposal, by=user)
    if not mine and asked and feedback_form is None:
        feedback_form = FeedbackForm(exchange=_is_exchange(proposal))
    emergency = settings.EMERGENCY_CONTACT
    return render(
        request,
        "frontend/visits/detail.html",
        {
            "card": card(proposal, user, Labels()),
            "meeting": meeting,
            "phone": counterpart.get("phone", ""),
            "phone_href": tel_href(counterpart.get("phone", "")),
            "emergency": emergency,
            "emergency_href": tel_href(emergency),
            "meeting_form": meeting_form if can_change else None,
            "cutoff": meeting_services.meeting_cutoff(proposal.date),
            "attendance_form": attendance_form if recording else None,
            "my_record": records.get(side or ""),
            "feedback": mine[0] if mine else None,
            "form": feedback_form if not mine and asked else None,
            "feedback_closed": opens <= today and not asked,
            "feedback_opens": opens,
        },
    )


@member_required
def visit_detail(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = confirmed_or_404(request, proposal_id)
    if request.method != "POST":
        return _page(request, proposal)
    form = FeedbackForm(request.POST, exchange=_is_exchange(proposal))
    if form.is_valid():
        with service_errors(form) as outcome:
            feedback_services.feedback_leave(
                proposal_id=proposal.pk, by=request.user, **form.service_kwargs()
            )
        if outcome.refused:
            messages.error(request, outcome.refused)
        if outcome.ok:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect("frontend:visit", proposal_id=proposal.pk)
    return _page(request, proposal, feedback_form=form)


def _post(
    request: AuthedRequest,
    proposal: Proposal,
    form: forms.Form,
    service: Callable[..., Any],
    *,
    done: str,
    slot: str,
) -> HttpResponse:
    """A visit page's form sent: the service with the form's values, then back to the page
    with ``done`` or the refusal; a field error shows the page again with the form (``slot``
    names which of the page's forms it is)."""
    if form.is_valid():
        with service_errors(form) as outcome:
            service(proposal_id=proposal.pk, by=request.user, **form.cleaned_data)
        if outcome.refused or outcome.ok:
            if outcome.refused:
                messages.error(request, outcome.refused)
            else:
                messages.success(request, done)
            return redirect("frontend:visit", proposal_id=proposal.pk)
    return _page(request, proposal, **{slot: form})


@member_required
@require_POST
def visit_meeting(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    """The family changes its visit's meeting (the student is told by the service). A student
    never does: refused before the lookup, so the answer says nothing of the visit."""
    if request.user.role != Role.HOST:
        raise PermissionDenied
    proposal = confirmed_or_404(request, proposal_id)
    return _post(
        request,
        proposal,
        MeetingForm(request.POST),
        meeting_services.meeting_change,
        done=_("The meeting is changed; the student has been told."),
        slot="meeting_form",
    )


@member_required
@require_POST
def visit_attendance(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = confirmed_or_404(request, proposal_id)
    return _post(
        request,
        proposal,
        AttendanceForm(request.POST),
        attendance_services.attendance_record,
        done=_("Thank you: we have noted what happened."),
        slot="attendance_form",
    )


@member_required
def visit_calendar(request: AuthedRequest, proposal_id: int) -> HttpResponse:
    proposal = confirmed_or_404(request, proposal_id)
    response = HttpResponse(
        visit_ics(proposal=proposal, recipient=request.user),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="engawa-visit-{proposal.pk}.ics"'
    return response
