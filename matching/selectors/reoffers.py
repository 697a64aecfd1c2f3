"""Reads of re-offers: what the coordinator's API and answers page list."""

from __future__ import annotations

from django.db.models import QuerySet

from matching.models import Program, Reoffer


def reoffers_of_program(*, program: Program) -> QuerySet[Reoffer]:
    """The programme's re-offers, newest first, with both proposals' people (one query)."""
    people = (
        "student_application__user",
        "host_application__user__host_profile",
    )
    return (
        Reoffer.objects.filter(program=program)
        .select_related(
            *(f"freed__{p}" for p in people),
            *(f"proposal__{p}" for p in people),
        )
        .order_by("-created_at", "-id")
    )
