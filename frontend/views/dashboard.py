"""The first page after log-in, one per role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from accounts.selectors import profile_missing_fields, profile_of
from frontend.views.access import login_required
from frontend.views.profile import completeness, steps_for

# The coordinator pages are built separately; their start page is the first of these.
COORDINATOR_HOMES = ("frontend:coordinator:home", "frontend:coordinator:programs")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_coordinator:
        for name in COORDINATOR_HOMES:
            try:
                return redirect(reverse(name))
            except NoReverseMatch:
                continue
        return render(request, "frontend/dashboard_coordinator.html")
    profile = profile_of(user)
    missing = profile_missing_fields(profile, user.role)
    context = {
        "completeness": completeness(user),
        "missing": missing,
        "steps": steps_for(user.role),
    }
    context.update(_matching_overview(user))
    return render(request, "frontend/dashboard.html", context)


def _matching_overview(user: object) -> dict[str, object]:
    """Open programmes, proposals waiting for an answer and upcoming visits, once the
    matching selectors that read them exist."""
    return {}
