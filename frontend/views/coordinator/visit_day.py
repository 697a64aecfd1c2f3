"""The visit day of a programme, for coordinators: the default meeting of each visit day, the
visits whose two sides disagree about what happened (settled here), and each visit's outcome.
Through matching's services and selectors only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    program_or_404,
    service_errors,
)
from frontend.visit_forms import AttendanceForm, MeetingPointForm
from matching.models import Proposal
from matching.selectors import proposals as proposal_selectors
from matching.selectors.attendance import (
    attendance_open,
    disputed_visits,
    is_disputed,
    visit_outcome,
    visit_records,
)
from matching.selectors.meeting import meeting_for, program_meeting_points
from matching.services import attendance as attendance_services
from matching.services import meeting as meeting_services


def _day_forms(program_id: int, days: list[dt.date]) -> list[dict[str, Any]]:
    points = program_meeting_points(program_id=program_id)
    rows = []
    for day in days:
        point = points.get(day)
        initial = (
            {
                "time": point.time,
                "station": point.station_id,
                "place_ja": point.place_ja,
                "place_en": point.place_en,
            }
            if point
            else {}
        )
        rows.append({"day": day, "form": MeetingPointForm(initial=initial, prefix=day.isoformat())})
    return rows


def visit_day_context(proposal: Proposal, coordinator: User) -> dict[str, Any]:
    """A proposal's meeting and attendance, for the coordinator's page of the proposal."""
    records = visit_records(proposal_ids=[proposal.pk]).get(proposal.pk, {})
    return {
        "meeting": meeting_for(proposal=proposal, viewer=coordinator),
        "attendance": records,
        "outcome": visit_outcome(records),
        "disputed": is_disputed(records),
        "settle_form": (
            AttendanceForm(prefix=f"p{proposal.pk}") if attendance_open(proposal) else None
        ),
    }


@coordinator_required
def visit_day(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    days = program.days
    rows = _day_forms(program.pk, days)
    if request.method == "POST":
        wanted = request.POST.get("day", "")
        row = next((r for r in rows if r["day"].isoformat() == wanted), None)
        if row is None:
            raise Http404
        form = MeetingPointForm(request.POST, prefix=wanted)
        row["form"] = form
        if form.is_valid():
            with service_errors(form, field_map={"date": None}) as outcome:
                meeting_services.meeting_point_set(
                    program=program,
                    day=row["day"],
                    by=coordinator_of(request),
                    **form.cleaned_data,
                )
            if outcome.ok:
                messages.success(request, _("The meeting of this day is saved."))
                return redirect("frontend:coordinator:visit_day", program_id=program.pk)
    confirmed = list(
        proposal_selectors.proposals_for_program(
            program_id=program.pk, status=Proposal.Status.CONFIRMED
        )
    )
    disputes = disputed_visits(program_id=program.pk)
    records = visit_records(proposal_ids=[p.pk for p in (*confirmed, *disputes)])
    return render(
        request,
        "frontend/coordinator/visit_day.html",
        {
            "program": program,
            "days": rows,
            "disputes": [
                {
                    "proposal": p,
                    "records": records.get(p.pk, {}),
                    "form": AttendanceForm(prefix=f"p{p.pk}"),
                }
                for p in disputes
            ],
            "visits": [
                {"proposal": p, "outcome": visit_outcome(records.get(p.pk, {}))} for p in confirmed
            ],
        },
    )


@coordinator_required
@require_POST
def attendance_settle(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """A coordinator records (and so settles) what happened on a visit."""
    form = AttendanceForm(request.POST, prefix=f"p{proposal_id}")
    program_id = (
        Proposal.objects.filter(pk=proposal_id).values_list("program_id", flat=True).first()
    )
    if program_id is None:
        raise Http404
    if form.is_valid():
        with service_errors(request=request) as outcome:
            attendance_services.attendance_record(
                proposal_id=proposal_id, by=coordinator_of(request), **form.cleaned_data
            )
        if outcome.refused:
            messages.error(request, outcome.refused)
        elif outcome.ok:
            messages.success(request, _("The outcome of this visit is settled."))
    else:
        messages.error(request, _("Choose what happened."))
    # Back to the page the form was on: this visit's page, or the programme's visit day.
    if request.POST.get("back") == "proposal":
        return redirect("frontend:coordinator:proposal", proposal_id=proposal_id)
    return redirect("frontend:coordinator:visit_day", program_id=program_id)
