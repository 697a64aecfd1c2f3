"""Reads of incidents: the cases a user may see (coordinators all; a reporter their own), shared
by the API and the pages. Each read runs a fixed number of queries whatever the rows."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.models import Role, User
from matching.models import Incident, IncidentNote

_RELATED = (
    "reporter",
    "subject",
    "proposal__program",
    "proposal__student_application__user",
    "proposal__host_application__user__host_profile",
)


def incidents_visible_to(
    *, user: User, status: str | None = None, proposal_id: int | None = None
) -> QuerySet[Incident]:
    """Coordinators: every case, with its notes (two queries). Anyone else: the cases they
    reported, without notes (one query). Newest first; ``status`` and the visit
    (``proposal_id``) filter."""
    cases = Incident.objects.select_related(*_RELATED).order_by("-created_at", "-id")
    if user.role == Role.COORDINATOR:
        cases = cases.prefetch_related(
            Prefetch("notes", queryset=IncidentNote.objects.select_related("author"))
        )
    else:
        cases = cases.filter(reporter=user)
    if status:
        cases = cases.filter(status=status)
    if proposal_id is not None:
        cases = cases.filter(proposal_id=proposal_id)
    return cases


def incident_visible_to(*, user: User, incident_id: int) -> Incident | None:
    """One case as ``incidents_visible_to`` shows it, or None (missing, or not the caller's)."""
    return incidents_visible_to(user=user).filter(pk=incident_id).first()
