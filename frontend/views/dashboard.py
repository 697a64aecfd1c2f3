"""The first page after log-in, one per role."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import User
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
    return render(request, "frontend/dashboard.html", context)


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
