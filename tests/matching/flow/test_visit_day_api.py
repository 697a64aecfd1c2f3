"""The re-offer and incident endpoints: shapes, who may call them, errors naming the field,
query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Incident, Proposal, Reoffer, Round
from matching.services import incidents as incident_services
from matching.services import proposals as services
from tests import factories
from tests.matching.flow.conftest import draft_proposal, host_of, make_student, student_of

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]


def _free_student(rnd: Round) -> None:
    factories.ApplicationFactory(program=rnd.program, user=make_student())


def test_the_programme_shows_and_takes_its_reoffer_settings(
    client_for: ClientFor, coordinator: User
) -> None:
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = {
        "name": "Winter visits",
        "kind": "home_visit",
        "dates": [day],
        "apply_until": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "response_hours": 48,
        "reoffer": False,
        "reoffer_lead_days": 5,
    }
    created = client_for(coordinator).post("/api/programs/", body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["reoffer"], created.json()["reoffer_lead_days"]) == (False, 5)
    body.pop("reoffer")
    body["reoffer_lead_days"] = 61
    refused = client_for(coordinator).post("/api/programs/", body, format="json")
    assert refused.status_code == 400
    assert "reoffer_lead_days" in refused.json()
    body.pop("reoffer_lead_days")
    default = client_for(coordinator).post("/api/programs/", body, format="json").json()
    assert (default["reoffer"], default["reoffer_lead_days"]) == (True, 3)


def test_the_coordinator_lists_reoffers_in_a_fixed_number_of_queries(
    client_for: ClientFor,
    coordinator: User,
    rnd: Round,
    publish: Callable[[Round], Any],
    committing: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    drafts = [draft_proposal(rnd=rnd) for _ in range(3)]
    publish(rnd)
    for draft in drafts:
        _free_student(rnd)
        committing(services.proposal_decline, proposal_id=draft.pk, by=student_of(draft))
    assert Reoffer.objects.filter(outcome="offered").count() == 3
    client = client_for(coordinator)
    # Authentication (the token with its user), the programme, the re-offers with both
    # proposals' people.
    with django_assert_num_queries(3):
        rows = client.get(f"/api/programs/{rnd.program_id}/reoffers/").json()
    assert len(rows) == 3
    row = rows[-1]
    assert row["outcome"] == "offered"
    assert row["freed"]["id"] == drafts[0].pk
    assert row["freed"]["status"] == "declined"
    assert row["proposal"]["status"] == "proposed"
    assert row["proposal"]["family"] == host_of(drafts[0]).host_profile.household_name
    assert set(row) == {"id", "outcome", "freed", "proposal", "created_at"}


def test_reoffers_are_for_coordinators_only(
    client_for: ClientFor, proposal: Proposal, student: User
) -> None:
    path = f"/api/programs/{proposal.program_id}/reoffers/"
    assert client_for(student).get(path).status_code == 403
    assert client_for(None).get(path).status_code == 401


def _body(proposal: Proposal, **values: Any) -> dict[str, Any]:
    return {
        "proposal": proposal.pk,
        "category": "no_show",
        "severity": "medium",
        "description": "Nobody opened the door.",
        **values,
    }


def test_a_party_reports_and_reads_its_case_without_notes(
    client_for: ClientFor, proposal: Proposal, coordinator: User
) -> None:
    reporter = host_of(proposal)
    answer = client_for(reporter).post("/api/incidents/", _body(proposal), format="json")
    assert answer.status_code == 201, answer.content
    case = answer.json()
    assert set(case) == {
        "id",
        "proposal",
        "date",
        "category",
        "severity",
        "description",
        "status",
        "created_at",
    }
    incident_services.incident_note_add(incident_id=case["id"], by=coordinator, body="Secret")
    again = client_for(reporter).get(f"/api/incidents/{case['id']}/").json()
    assert "notes" not in again and "Secret" not in str(again)
    # The other party is never told.
    other = client_for(student_of(proposal))
    assert other.get("/api/incidents/").json() == []
    assert other.get(f"/api/incidents/{case['id']}/").status_code == 404


def test_bad_reports_name_the_field(client_for: ClientFor, proposal: Proposal) -> None:
    client = client_for(student_of(proposal))
    for field, value in (("category", "fire"), ("severity", "huge"), ("description", "")):
        answer = client.post("/api/incidents/", _body(proposal, **{field: value}), format="json")
        assert answer.status_code == 400
        assert field in answer.json()
    assert client.post("/api/incidents/", {}, format="json").status_code == 400
    assert not Incident.objects.exists()


def test_a_stranger_gets_404_for_anothers_visit(
    client_for: ClientFor, proposal: Proposal, student: User
) -> None:
    answer = client_for(student).post("/api/incidents/", _body(proposal), format="json")
    assert answer.status_code == 404
    assert not Incident.objects.exists()


def test_the_coordinator_works_a_case(
    client_for: ClientFor, proposal: Proposal, coordinator: User
) -> None:
    client = client_for(coordinator)
    refused = client.post("/api/incidents/", _body(proposal), format="json")
    assert refused.status_code == 400 and "about" in refused.json()
    case = client.post("/api/incidents/", _body(proposal, about="host"), format="json").json()
    assert case["subject"]["id"] == host_of(proposal).pk
    path = f"/api/incidents/{case['id']}/"
    follow = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    patched = client.patch(
        path, {"status": "in_progress", "follow_up_on": follow}, format="json"
    ).json()
    assert (patched["status"], patched["follow_up_on"]) == ("in_progress", follow)
    note = client.post(f"{path}notes/", {"body": "Called them"}, format="json")
    assert note.status_code == 201
    assert note.json()["author"]["id"] == coordinator.pk
    closed = client.patch(path, {"status": "closed", "outcome": "warning"}, format="json").json()
    assert (closed["status"], closed["outcome"]) == ("closed", "warning")
    assert [n["body"] for n in closed["notes"]] == ["Called them"]
    assert client.patch(path, {"outcome": "jail"}, format="json").json().keys() == {"outcome"}
    assert client.post(f"{path}notes/", {"body": ""}, format="json").status_code == 400
    assert client.get("/api/incidents/?status=open").json() == []
    assert client.get("/api/incidents/?status=nope").status_code == 400


def test_reporters_may_not_work_their_case(client_for: ClientFor, proposal: Proposal) -> None:
    client = client_for(student_of(proposal))
    case = client.post("/api/incidents/", _body(proposal), format="json").json()
    path = f"/api/incidents/{case['id']}/"
    assert client.patch(path, {"status": "closed"}, format="json").status_code == 403
    assert client.post(f"{path}notes/", {"body": "x"}, format="json").status_code == 403


def test_the_case_list_query_count_does_not_grow(
    client_for: ClientFor,
    coordinator: User,
    rnd: Round,
    publish: Callable[[Round], Any],
    django_assert_num_queries: Any,
) -> None:
    drafts = [draft_proposal(rnd=rnd) for _ in range(5)]
    publish(rnd)
    for draft in drafts:
        case = incident_services.incident_report(
            by=student_of(draft),
            proposal_id=draft.pk,
            category="other",
            severity="low",
            description="x",
        )
        incident_services.incident_note_add(incident_id=case.pk, by=coordinator, body="n")
    client = client_for(coordinator)
    # Authentication (the token with its user), the cases with their people, their notes.
    with django_assert_num_queries(3):
        assert len(client.get("/api/incidents/").json()) == 5
