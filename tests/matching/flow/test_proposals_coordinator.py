"""A coordinator follows the answers: on-behalf answers, cancellation, the audit trail, the
programme's list of who has not answered, reminders on demand."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from chat.models import Conversation
from matching.models import Delivery, Proposal, ProposalEvent, Round
from tests import factories
from tests.matching.flow.conftest import draft_proposal, host_of, seats_taken, student_of

pytestmark = pytest.mark.django_db


def test_an_answer_on_behalf_is_audited_as_the_coordinators(
    proposal: Proposal, coordinator: User, client_for: Any
) -> None:
    host = host_of(proposal)
    response = client_for(coordinator).post(
        f"/api/proposals/{proposal.pk}/answer-on-behalf/",
        {"side": "host", "answer": "accept", "reason": "Mrs Tanaka phoned on Monday."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted_by_host"
    assert response.json()["waiting_for"] == ["student"]
    events = client_for(coordinator).get(f"/api/proposals/{proposal.pk}/events/").json()
    last = events[-1]
    assert (last["from_status"], last["to_status"]) == ("proposed", "accepted_by_host")
    assert last["actor"]["id"] == coordinator.pk and last["actor"]["role"] == "coordinator"
    assert last["on_behalf_of"]["id"] == host.pk
    assert last["reason"] == "Mrs Tanaka phoned on Monday."
    assert [e["to_status"] for e in events] == ["proposed", "accepted_by_host"]


def test_an_on_behalf_decline_frees_the_seat(
    proposal: Proposal, coordinator: User, client_for: Any
) -> None:
    response = client_for(coordinator).post(
        f"/api/proposals/{proposal.pk}/answer-on-behalf/",
        {"side": "student", "answer": "decline", "reason": "Told the desk in person."},
    )
    assert response.json()["status"] == "declined"
    assert seats_taken(proposal) == 0
    event = ProposalEvent.objects.filter(proposal=proposal).last()
    assert event.on_behalf_of == student_of(proposal) and event.actor == coordinator


def test_on_behalf_input_errors_name_the_field(
    proposal: Proposal, coordinator: User, client_for: Any
) -> None:
    client = client_for(coordinator)
    url = f"/api/proposals/{proposal.pk}/answer-on-behalf/"
    bad = client.post(url, {"side": "parent", "answer": "maybe", "reason": ""})
    assert bad.status_code == 400
    assert {"side", "answer", "reason"} <= set(bad.json())
    assert Proposal.objects.get(pk=proposal.pk).status == "proposed"


def test_the_same_side_cannot_be_answered_twice_on_behalf(
    proposal: Proposal, coordinator: User, client_for: Any
) -> None:
    client = client_for(coordinator)
    url = f"/api/proposals/{proposal.pk}/answer-on-behalf/"
    body = {"side": "host", "answer": "accept", "reason": "phone"}
    assert client.post(url, body).status_code == 200
    assert client.post(url, body).status_code == 409
    # The family's own later answer is refused too: its side has answered.
    assert (
        client_for(host_of(proposal)).post(f"/api/proposals/{proposal.pk}/accept/").status_code
        == 409
    )


def test_cancelling_a_confirmed_match_releases_the_seat_and_closes_the_chat(
    proposal: Proposal,
    coordinator: User,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for user in (student_of(proposal), host_of(proposal)):
        client_for(user).post(f"/api/proposals/{proposal.pk}/accept/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            f"/api/proposals/{proposal.pk}/cancel/", {"reason": "The family fell ill."}
        )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert seats_taken(proposal) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [student_of(proposal).email, host_of(proposal).email]
    )
    assert any("The family fell ill." in m.body for m in mail.outbox)
    assert Conversation.objects.get(proposal=proposal).status == "closed"
    again = client_for(coordinator).post(
        f"/api/proposals/{proposal.pk}/cancel/", {"reason": "again"}
    )
    assert again.status_code == 409


def test_cancelling_needs_a_reason(proposal: Proposal, coordinator: User, client_for: Any) -> None:
    response = client_for(coordinator).post(f"/api/proposals/{proposal.pk}/cancel/", {})
    assert response.status_code == 400 and "reason" in response.json()


def test_the_programme_list_says_who_has_not_answered(
    rnd: Round, coordinator: User, client_for: Any, publish: Any
) -> None:
    drafts = [draft_proposal(rnd=rnd) for _ in range(3)]
    publish(rnd)
    client_for(drafts[0].student_application.user).post(f"/api/proposals/{drafts[0].pk}/accept/")
    client_for(drafts[1].host_application.user).post(f"/api/proposals/{drafts[1].pk}/decline/")
    client = client_for(coordinator)
    url = f"/api/programs/{rnd.program_id}/proposals/"
    rows = {r["id"]: r for r in client.get(url).json()}
    assert rows[drafts[0].pk]["waiting_for"] == ["host"]
    assert rows[drafts[1].pk]["waiting_for"] == []
    assert rows[drafts[2].pk]["waiting_for"] == ["student", "host"]
    assert rows[drafts[2].pk]["host"]["address"]
    declined = client.get(url, {"status": "declined"}).json()
    assert [r["id"] for r in declined] == [drafts[1].pk]
    assert client.get(url, {"status": "nonsense"}).status_code == 400
    assert client.get("/api/programs/999999/proposals/").status_code == 404


def test_the_programme_list_query_count_does_not_grow(
    rnd: Round, coordinator: User, client_for: Any, publish: Any
) -> None:
    draft_proposal(rnd=rnd)
    publish(rnd)
    client = client_for(coordinator)
    url = f"/api/programs/{rnd.program_id}/proposals/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()) == 1
    Proposal.objects.filter(round=rnd).update(status="confirmed")
    later = factories.RoundFactory(program=rnd.program)
    for _ in range(4):
        draft_proposal(rnd=later)
    publish(later)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()) == 5
    assert len(many) == len(one)


def test_remind_now_e_mails_only_the_side_still_to_answer(
    proposal: Proposal,
    coordinator: User,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client_for(student_of(proposal)).post(f"/api/proposals/{proposal.pk}/accept/")
    client = client_for(coordinator)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/proposals/{proposal.pk}/remind/")
        assert response.status_code == 200
        assert response.json()["reminded"] == [host_of(proposal).pk]
    # Each explicit reminder is its own e-mail, to the family only.
    assert [m.to[0] for m in mail.outbox] == [host_of(proposal).email] * 2
    assert Delivery.objects.filter(kind="reminder").count() == 2
    Proposal.objects.filter(pk=proposal.pk).update(status="expired")
    assert client.post(f"/api/proposals/{proposal.pk}/remind/").status_code == 409


def test_the_events_of_an_unknown_proposal_are_a_404(coordinator: User, client_for: Any) -> None:
    assert client_for(coordinator).get("/api/proposals/424242/events/").status_code == 404
