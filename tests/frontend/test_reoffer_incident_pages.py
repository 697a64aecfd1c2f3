"""The pages of re-offers and incidents: the answers page lists re-offers, the programme page
changes the re-offer settings, a party reports a problem, coordinators work the case, in
Japanese and English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from matching.models import Incident, IncidentNote, Program, Proposal, Reoffer
from matching.services import incidents as incident_services
from tests import factories
from tests.frontend.conftest import field_block, published_round

pytestmark = pytest.mark.django_db


def _reoffer(program: Program) -> Reoffer:
    rnd, freed = published_round(program)
    Proposal.objects.filter(pk=freed.pk).update(status=Proposal.Status.DECLINED)
    offer = factories.ProposalFactory(
        round=rnd,
        host_application=freed.host_application,
        status=Proposal.Status.PROPOSED,
    )
    return Reoffer.objects.create(program=program, freed=freed, proposal=offer, outcome="offered")


def test_the_answers_page_lists_reoffers(coord: Client, program: Program) -> None:
    reoffer = _reoffer(program)
    assert reoffer.proposal is not None
    page = coord.get(reverse("frontend:coordinator:answers", args=[program.pk])).content.decode()
    assert "Freed seats offered again" in page
    assert reoffer.proposal.student_application.user.name in page
    assert reverse("frontend:coordinator:proposal", args=[reoffer.proposal.pk]) in page
    assert "until 3 days before the visit day" in page


def test_the_answers_page_with_reoffers_takes_a_constant_number_of_queries(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    _reoffer(program)
    url = reverse("frontend:coordinator:answers", args=[program.pk])
    with CaptureQueriesContext(connection) as few:
        coord.get(url, {"show": "all"})
    for _ in range(3):
        _reoffer(program)
    with django_assert_max_num_queries(len(few)):
        coord.get(url, {"show": "all"})


def test_the_programme_page_turns_reoffers_off_and_checks_the_limits(
    coord: Client, program: Program
) -> None:
    url = reverse("frontend:coordinator:program_reoffer", args=[program.pk])
    bad = coord.post(url, {"reoffer_lead_days": "99", "reoffer_hours": "24"})
    assert bad.status_code == 400
    assert 'class="errorlist' in field_block(bad.content.decode(), "id_reoffer_lead_days")
    program.refresh_from_db()
    assert program.reoffer is True
    done = coord.post(url, {"reoffer_lead_days": "5", "reoffer_hours": "12"})
    assert done.status_code == 302
    program.refresh_from_db()
    assert (program.reoffer, program.reoffer_lead_days, program.reoffer_hours) == (False, 5, 12)
    page = coord.get(reverse("frontend:coordinator:program", args=[program.pk])).content.decode()
    assert "Save the re-offer settings" in page


def test_the_programme_form_takes_the_reoffer_settings(coord: Client) -> None:
    page = coord.get(reverse("frontend:coordinator:program_create")).content.decode()
    assert 'name="reoffer"' in page and 'name="reoffer_lead_days"' in page


def _confirmed(program: Program) -> Proposal:
    _rnd, proposal = published_round(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    proposal.refresh_from_db()
    return proposal


@pytest.mark.parametrize(
    ("language", "heading"), [("en", "Report a problem"), ("ja", "この訪問について問題を報告する")]
)
def test_a_party_reports_a_problem_in_their_language(
    page_client: Callable[..., Client], program: Program, language: str, heading: str
) -> None:
    proposal = _confirmed(program)
    student = proposal.student_application.user
    client = page_client(student, language)
    url = reverse("frontend:visit_incident", args=[proposal.pk])
    assert heading in client.get(url).content.decode()
    bad = client.post(url, {"category": "conduct", "severity": "low", "description": ""})
    assert bad.status_code == 400
    assert 'class="errorlist' in field_block(bad.content.decode(), "id_description")
    assert not Incident.objects.exists()
    done = client.post(url, {"category": "no_show", "severity": "high", "description": "Closed"})
    assert done.status_code == 302
    incident = Incident.objects.get()
    assert (incident.reporter, incident.subject) == (student, proposal.host_application.user)
    page = client.get(url).content.decode()
    assert incident.get_status_display() in page or "Open" in page


def test_the_visit_page_links_to_the_report_form(
    page_client: Callable[..., Client], program: Program
) -> None:
    proposal = _confirmed(program)
    page = page_client(proposal.host_application.user, "en").get(
        reverse("frontend:visit", args=[proposal.pk])
    )
    assert reverse("frontend:visit_incident", args=[proposal.pk]) in page.content.decode()


def test_the_other_party_never_sees_the_report(
    page_client: Callable[..., Client], program: Program
) -> None:
    proposal = _confirmed(program)
    incident_services.incident_report(
        by=proposal.student_application.user,
        proposal_id=proposal.pk,
        category="conduct",
        severity="low",
        description="my-private-report",
    )
    host = page_client(proposal.host_application.user, "en")
    page = host.get(reverse("frontend:visit_incident", args=[proposal.pk])).content.decode()
    assert "my-private-report" not in page


@pytest.fixture
def case(program: Program, coordinator: User) -> Incident:
    proposal = _confirmed(program)
    return incident_services.incident_report(
        by=proposal.host_application.user,
        proposal_id=proposal.pk,
        category="safety",
        severity="high",
        description="Something happened",
    )


@pytest.mark.parametrize(("language", "title"), [("en", "Incidents"), ("ja", "トラブル報告")])
def test_the_case_list_by_status(
    page_client: Callable[..., Client], coordinator: User, case: Incident, language: str, title: str
) -> None:
    client = page_client(coordinator, language)
    url = reverse("frontend:coordinator:incidents")
    page = client.get(url).content.decode()
    assert title in page
    assert reverse("frontend:coordinator:incident", args=[case.pk]) in page
    closed = client.get(url, {"status": "closed"}).content.decode()
    assert reverse("frontend:coordinator:incident", args=[case.pk]) not in closed


def test_the_case_list_takes_a_constant_number_of_queries(
    coord: Client, program: Program, case: Incident, django_assert_max_num_queries: Any
) -> None:
    url = reverse("frontend:coordinator:incidents")
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    for _ in range(3):
        proposal = _confirmed(program)
        incident_services.incident_report(
            by=proposal.student_application.user,
            proposal_id=proposal.pk,
            category="other",
            severity="low",
            description="x",
        )
    with django_assert_max_num_queries(len(few)):
        coord.get(url)


def test_the_coordinator_follows_up_adds_a_note_and_closes(coord: Client, case: Incident) -> None:
    detail = reverse("frontend:coordinator:incident", args=[case.pk])
    assert "Something happened" in coord.get(detail).content.decode()
    note_url = reverse("frontend:coordinator:incident_note", args=[case.pk])
    assert coord.post(note_url, {"body": ""}).status_code == 400
    assert coord.post(note_url, {"body": "Phoned them"}).status_code == 302
    assert IncidentNote.objects.get().body == "Phoned them"
    follow = reverse("frontend:coordinator:incident_follow_up", args=[case.pk])
    bad = coord.post(follow, {"status": "closed", "outcome": "banish", "follow_up_on": ""})
    assert bad.status_code == 400
    done = coord.post(
        follow, {"status": "closed", "outcome": "never_again", "follow_up_on": "2030-01-02"}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome, str(case.follow_up_on)) == (
        "closed",
        "never_again",
        "2030-01-02",
    )
    assert "Phoned them" in coord.get(detail).content.decode()


def test_the_coordinator_opens_a_case_about_a_visit(coord: Client, program: Program) -> None:
    proposal = _confirmed(program)
    url = reverse("frontend:coordinator:incident_open", args=[proposal.pk])
    assert coord.get(url).status_code == 200
    missing = coord.post(url, {"category": "health", "severity": "medium", "description": "x"})
    assert missing.status_code == 400
    assert 'class="errorlist' in field_block(missing.content.decode(), "id_about_0")
    done = coord.post(
        url, {"category": "health", "severity": "medium", "description": "x", "about": "student"}
    )
    assert done.status_code == 302
    assert Incident.objects.get().subject == proposal.student_application.user


def test_a_programme_created_without_a_lead_time_takes_the_default(coord: Client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "Autumn visits",
            "kind": "home_visit",
            "dates": (today + timezone.timedelta(days=40)).isoformat(),
            "apply_until": (today + timezone.timedelta(days=20)).isoformat() + "T18:00",
            "response_hours": "48",
            "reoffer_lead_days": "",
        },
    )
    assert answer.status_code == 302
    program = Program.objects.get(name="Autumn visits")
    # An unticked box turns re-offers off; the lead time is the model's default.
    assert (program.reoffer, program.reoffer_lead_days) == (False, 3)
