"""The first page after log-in, one per role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import RegistryRecord, User
from accounts.registry.selectors import (
    APPROVED,
    CONFIRMED,
    RENEWAL_WINDOW_DAYS,
    person_status,
)
from accounts.selectors import profile_missing_fields, profile_of
from frontend.profile_steps import steps_for
from frontend.views.access import AuthedRequest, login_required
from frontend.views.profile import completeness
from matching.models import Program, Proposal
from matching.selectors import programs as program_selectors
from matching.selectors import proposals as proposal_selectors


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if user.is_coordinator:
        # Coordinators start from their programmes (frontend.coordinator_urls).
        return redirect("frontend:coordinator:programs")
    profile = profile_of(user)
    missing = profile_missing_fields(profile, user.role)
    context: dict[str, Any] = {
        "completeness": completeness(user),
        "missing": missing,
        "steps": steps_for(user.role),
    }
    context.update(_matching_overview(user))
    context.update(_standing(user))
    return render(request, "frontend/dashboard.html", context)


def _standing(user: User) -> dict[str, Any]:
    """The person's registry status, and whether the renewal window is open."""
    record = RegistryRecord.objects.filter(user=user).first()
    today = timezone.localdate()
    status = person_status(role=user.role, record=record, today=today)
    until = record.valid_until if record else None
    window = dt.timedelta(days=RENEWAL_WINDOW_DAYS)
    due = until is not None and status in (APPROVED, CONFIRMED) and until - today <= window
    return {"standing": status, "standing_until": until, "renewal_due": due}


def _matching_overview(user: User) -> dict[str, Any]:
    """Open programmes, proposals waiting for this user's answer and upcoming visits."""
    now = timezone.now()
    programs = [
        p
        for p in program_selectors.programs_visible_to(user=user)
        if p.status == Program.Status.OPEN and p.apply_until > now
    ]
    mine = list(proposal_selectors.proposals_for_user(user=user))
    today = timezone.localdate()
    waiting = [
        p
        for p in mine
        if proposal_selectors.side_of(proposal=p, user=user) in proposal_selectors.waiting_for(p)
    ]
    visits = [p for p in mine if p.status == Proposal.Status.CONFIRMED and p.date >= today]
    return {"open_programs": programs, "waiting_proposals": waiting, "upcoming_visits": visits}
