"""The matching admin: every list and change page renders, and lists join what they show."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from matching.models import Feedback, Proposal, ProposalEvent, Unplaced
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client) -> Client:
    admin = factories.UserFactory(role=Role.COORDINATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.fixture
def rows() -> dict[str, Any]:
    proposal = factories.ProposalFactory(status=Proposal.Status.CONFIRMED)
    ProposalEvent.objects.create(
        proposal=proposal, from_status="draft", to_status="proposed", actor=None
    )
    unplaced = Unplaced.objects.create(
        round=proposal.round,
        application=factories.ApplicationFactory(program=proposal.program),
        reasons=[{"code": "no_date", "params": {}, "text": "No shared date."}],
    )
    feedback = Feedback.objects.create(
        proposal=proposal,
        author=proposal.student_application.user,
        rating=5,
        would_meet_again=True,
    )
    return {
        "program": proposal.program,
        "application": proposal.host_application,
        "round": proposal.round,
        "proposal": proposal,
        "unplaced": unplaced,
        "feedback": feedback,
    }


@pytest.mark.parametrize(
    "model", ["program", "application", "round", "proposal", "unplaced", "feedback"]
)
def test_list_and_change_pages_render(
    admin_client_: Client, rows: dict[str, Any], model: str
) -> None:
    listing = admin_client_.get(f"/admin/matching/{model}/")
    assert listing.status_code == 200
    change = admin_client_.get(f"/admin/matching/{model}/{rows[model].pk}/change/")
    assert change.status_code == 200


def test_list_search_and_filters(admin_client_: Client, rows: dict[str, Any]) -> None:
    name = rows["application"].user.name
    response = admin_client_.get("/admin/matching/application/", {"q": name, "role": "host"})
    assert response.status_code == 200
    assert name in response.content.decode()
    response = admin_client_.get("/admin/matching/proposal/", {"status": "confirmed"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["application", "proposal", "round", "unplaced"])
def test_list_queries_do_not_grow_with_rows(
    admin_client_: Client, rows: dict[str, Any], model: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client_.get(f"/admin/matching/{model}/").status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        proposal = factories.ProposalFactory(round=rows["round"])
        Unplaced.objects.create(round=rows["round"], application=proposal.host_application)
        factories.RoundFactory(program=rows["program"])
    assert count() == before


def test_a_coordinator_renames_a_programme_but_never_changes_its_state(
    client: Client, rows: dict[str, Any]
) -> None:
    from accounts.permissions import coordinator_group
    from matching.models import Program

    coordinator = factories.UserFactory(role=Role.COORDINATOR, is_staff=True)
    coordinator.groups.add(coordinator_group())
    client.force_login(coordinator)
    program = rows["program"]
    page = client.get(f"/admin/matching/program/{program.pk}/change/")
    assert set(page.context["adminform"].form.fields) == {"name", "description"}
    sent = {"name": "新しい名前", "description": "", "status": "closed", "kind": "x"}
    answer = client.post(f"/admin/matching/program/{program.pk}/change/", sent)
    assert answer.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.status) == ("新しい名前", Program.Status.OPEN)
