"""Incidents: reporting a problem about a visit, the coordinators' case file, what the
outcomes do, the e-mail on a high-severity case, and the purge after the retention period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import token_for
from matching.models import Incident, IncidentNote, Program, Proposal
from matching.selectors.incidents import incident_visible_to, incidents_visible_to
from matching.selectors.rounds import pairs_never_again
from matching.services import incidents as services
from matching.services import proposals as proposal_services
from matching.services.proposals import ProposalNotFound
from matching.services.retention import program_purge
from tests.matching.flow.conftest import draft_proposal, host_of, make_host, student_of

pytestmark = pytest.mark.django_db


def _report(proposal: Proposal, by: User, **values: Any) -> Incident:
    fields = {
        "category": Incident.Category.CONDUCT,
        "severity": Incident.Severity.LOW,
        "description": "Came two hours late and was rude.",
        **values,
    }
    return services.incident_report(by=by, proposal_id=proposal.pk, **fields)


def test_a_party_reports_about_the_other_party(proposal: Proposal) -> None:
    incident = _report(proposal, student_of(proposal))
    assert incident.reporter == student_of(proposal)
    assert incident.subject == host_of(proposal)
    assert incident.status == Incident.Status.OPEN
    assert incident.outcome == Incident.Outcome.NONE
    assert _report(proposal, host_of(proposal)).subject == student_of(proposal)


def test_a_coordinator_names_whom_the_report_is_about(
    proposal: Proposal, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as error:
        _report(proposal, coordinator)
    assert "about" in error.value.message_dict
    assert not Incident.objects.exists()
    incident = _report(proposal, coordinator, about="student")
    assert incident.subject == student_of(proposal)


def test_someone_else_cannot_report_about_a_visit(proposal: Proposal, student: User) -> None:
    with pytest.raises(ProposalNotFound):
        _report(proposal, student)
    assert not Incident.objects.exists()


def test_an_empty_description_is_refused(proposal: Proposal) -> None:
    with pytest.raises(ValidationError) as error:
        _report(proposal, student_of(proposal), description="   ")
    assert "description" in error.value.message_dict


def test_a_high_severity_case_emails_every_coordinator_once(
    proposal: Proposal, coordinator: User, committing: Callable[..., Any]
) -> None:
    other = User.objects.create_user(
        "second-coordinator@example.org", "x", name="Second", role="coordinator"
    )
    committing(
        services.incident_report,
        by=student_of(proposal),
        proposal_id=proposal.pk,
        category=Incident.Category.SAFETY,
        severity=Incident.Severity.HIGH,
        description="The family's dog bit me.",
    )
    coordinators = User.objects.filter(role="coordinator", is_active=True)
    assert {coordinator.email, other.email} <= set(coordinators.values_list("email", flat=True))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in coordinators)
    body = mail.outbox[0].body
    assert "/coordinator/incidents/" in body
    # The e-mail says there is a case, not what the reporter wrote.
    assert "dog" not in body


def test_a_low_severity_case_sends_no_email(
    proposal: Proposal, coordinator: User, committing: Callable[..., Any]
) -> None:
    committing(_report, proposal=proposal, by=student_of(proposal))
    assert mail.outbox == []


def test_a_coordinator_follows_a_case_up_and_closes_it(
    proposal: Proposal, coordinator: User
) -> None:
    incident = _report(proposal, student_of(proposal))
    follow = timezone.localdate() + dt.timedelta(days=7)
    services.incident_update(
        incident_id=incident.pk, by=coordinator, status="in_progress", follow_up_on=follow
    )
    services.incident_note_add(incident_id=incident.pk, by=coordinator, body="Phoned the family.")
    incident.refresh_from_db()
    assert (incident.status, incident.follow_up_on) == ("in_progress", follow)
    services.incident_update(
        incident_id=incident.pk, by=coordinator, status="closed", outcome="warning"
    )
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert incident.closed_at is not None
    assert incident.outcome == "warning"
    # Not given: the follow-up date stays.
    assert incident.follow_up_on == follow
    services.incident_update(incident_id=incident.pk, by=coordinator, follow_up_on=None)
    incident.refresh_from_db()
    assert incident.follow_up_on is None


def test_only_coordinators_follow_cases_up(proposal: Proposal) -> None:
    incident = _report(proposal, student_of(proposal))
    with pytest.raises(PermissionDenied):
        services.incident_update(incident_id=incident.pk, by=student_of(proposal), status="closed")
    with pytest.raises(PermissionDenied):
        services.incident_note_add(incident_id=incident.pk, by=student_of(proposal), body="x")
    incident.refresh_from_db()
    assert incident.status == "open"


def test_never_again_forbids_the_pair_in_every_later_round(
    proposal: Proposal, coordinator: User
) -> None:
    pair = (student_of(proposal).pk, host_of(proposal).pk)
    assert pair not in pairs_never_again(user_ids=pair)
    incident = _report(proposal, student_of(proposal))
    services.incident_update(incident_id=incident.pk, by=coordinator, outcome="never_again")
    assert pairs_never_again(user_ids=pair)[pair] == "coordinator"


def test_suspend_deactivates_the_subject_and_cancels_their_coming_visits(
    proposal: Proposal, coordinator: User, committing: Callable[..., Any]
) -> None:
    proposal_services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    proposal_services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    host = host_of(proposal)
    token_for(user=host)
    incident = _report(proposal, student_of(proposal), category="safety", severity="medium")
    committing(services.incident_update, incident_id=incident.pk, by=coordinator, outcome="suspend")
    host.refresh_from_db()
    proposal.refresh_from_db()
    assert not host.is_active
    assert not ApiToken.objects.filter(user=host).exists()
    assert proposal.status == Proposal.Status.CANCELLED
    # The student hears that the visit is cancelled, not who reported whom.
    texts = [m.body for m in mail.outbox if m.to == [student_of(proposal).email]]
    assert texts
    assert not any("report" in text.lower() or "incident" in text.lower() for text in texts)


def test_a_reporter_sees_their_own_cases_and_nobody_else_does(
    proposal: Proposal, coordinator: User, student: User
) -> None:
    mine = _report(proposal, student_of(proposal))
    theirs = _report(proposal, host_of(proposal))
    assert list(incidents_visible_to(user=student_of(proposal))) == [mine]
    assert list(incidents_visible_to(user=host_of(proposal))) == [theirs]
    assert list(incidents_visible_to(user=student)) == []
    assert incident_visible_to(user=student_of(proposal), incident_id=theirs.pk) is None
    assert set(incidents_visible_to(user=coordinator)) == {mine, theirs}
    assert list(incidents_visible_to(user=coordinator, status="closed")) == []


def test_the_case_list_runs_a_fixed_number_of_queries(
    rnd: Any,
    publish: Callable[..., Any],
    coordinator: User,
    django_assert_num_queries: Any,
) -> None:
    drafts = [draft_proposal(rnd=rnd, host=make_host()) for _ in range(4)]
    publish(rnd)
    for draft in drafts:
        incident = _report(draft, student_of(draft))
        services.incident_note_add(incident_id=incident.pk, by=coordinator, body="noted")
    with django_assert_num_queries(2):
        rows = list(incidents_visible_to(user=coordinator))
        assert all(len(row.notes.all()) == 1 for row in rows)
    with django_assert_num_queries(1):
        assert len(list(incidents_visible_to(user=student_of(drafts[0])))) == 1


def test_cases_are_purged_with_the_programme(proposal: Proposal, coordinator: User) -> None:
    incident = _report(proposal, student_of(proposal))
    services.incident_note_add(incident_id=incident.pk, by=coordinator, body="noted")
    Program.objects.filter(pk=proposal.program_id).update(
        status=Program.Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=4000)
    )
    result = program_purge(program_id=proposal.program_id)
    assert result.incidents == 1
    assert not Incident.objects.exists()
    assert not IncidentNote.objects.exists()
