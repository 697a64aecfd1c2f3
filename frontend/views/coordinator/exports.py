"""CSV export of a programme's confirmed visits."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import display_name, profile_of
from frontend.views.coordinator.common import coordinator_required, program_or_404
from matching.models import Proposal
from matching.selectors import proposals as proposal_selectors


def _csv_cell(value: str) -> str:
    # A cell starting with one of these is a formula to Excel: keep people's text as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@coordinator_required
def visits_csv(request: HttpRequest, program_id: int) -> HttpResponse:
    """Confirmed visits as CSV, UTF-8 with a byte-order mark so that Excel in Japan reads it."""
    program = program_or_404(program_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"engawa-visits-{program.pk}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Date"),
            _("Student"),
            _("Student e-mail"),
            _("Family"),
            _("Family contact"),
            _("Station"),
            _("Address"),
            _("Phone"),
        ]
    )
    for proposal in proposal_selectors.proposals_for_program(
        program_id=program.pk, status=Proposal.Status.CONFIRMED
    ):
        student = proposal.student_application.user
        host = proposal.host_application.user
        profile = profile_of(host)
        station = profile.home_station if profile is not None else None
        row = [
            student.name,
            student.email,
            display_name(host),
            host.name,
            station.label() if station is not None else "",
            getattr(profile, "address", ""),
            getattr(profile, "phone", ""),
        ]
        writer.writerow([proposal.date.isoformat(), *(_csv_cell(str(v)) for v in row)])
    return response
