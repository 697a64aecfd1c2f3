"""Answering proposals through the API: accept, decline, confirmation, what each side sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from matching.models import Proposal, ProposalEvent, Round
from matching.selectors import proposals as selectors
from tests import factories
from tests.matching.flow.conftest import (
    draft_proposal,
    host_of,
    make_host,
    make_student,
    seats_taken,
    student_of,
)

pytestmark = pytest.mark.django_db

PRIVATE = ("address", "phone")


def _accept(client: Any, proposal: Proposal, capture: Any) -> Any:
    with capture(execute=True):
        return client.post(f"/api/proposals/{proposal.pk}/accept/")


def test_each_side_lists_its_proposal_with_what_it_needs_to_decide(
    proposal: Proposal, client_for: Any
) -> None:
    student_rows = client_for(student_of(proposal)).get("/api/proposals/").json()
    host_rows = client_for(host_of(proposal)).get("/api/proposals/").json()
    assert [r["id"] for r in student_rows] == [proposal.pk]
    assert [r["id"] for r in host_rows] == [proposal.pk]
    row = student_rows[0]
    assert row["status"] == "proposed" and row["side"] == "student"
    assert row["program"] == proposal.program_id
    assert row["date"] == proposal.date.isoformat()
    assert row["deadline"] and row["conversation"] is None
    assert row["my_answer"] is None and row["their_answer"] is None
    family = row["counterpart"]
    assert family["household_name"].startswith("Family")
    assert family["station"]["slug"] == "mitaka"
    assert {"household_size", "has_children", "languages", "pets", "smoking"} <= set(family)
    assert not set(PRIVATE) & set(family)
    student_seen = host_rows[0]["counterpart"]
    assert student_seen["name"] == student_of(proposal).name
    assert student_seen["nationality"] == "VN"
    assert {"languages", "diet", "allergies", "interests", "bio", "gender"} <= set(student_seen)
    assert "events" not in host_rows[0]


def test_both_accept_confirms_and_only_then_reveals_the_address_to_the_student(
    proposal: Proposal, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    student, host = student_of(proposal), host_of(proposal)
    first = _accept(client_for(student), proposal, django_capture_on_commit_callbacks)
    assert first.status_code == 200
    assert first.json()["status"] == "accepted_by_student"
    assert first.json()["my_answer"] == "accept"
    assert not set(PRIVATE) & set(first.json()["counterpart"])
    second = _accept(client_for(host), proposal, django_capture_on_commit_callbacks)
    assert second.status_code == 200
    assert second.json()["status"] == "confirmed"
    assert second.json()["their_answer"] == "accept"
    assert not set(PRIVATE) & set(second.json()["counterpart"])  # the family sees no address
    proposal.refresh_from_db()
    assert proposal.confirmed_at is not None
    assert seats_taken(proposal) == 1
    row = client_for(student).get("/api/proposals/").json()[0]
    assert row["status"] == "confirmed"
    assert row["counterpart"]["address"] == host.host_profile.address
    assert row["counterpart"]["phone"] == host.host_profile.phone
    assert isinstance(row["conversation"], int)  # chat opened the match's conversation
    events = list(ProposalEvent.objects.filter(proposal=proposal).values_list("to_status", "actor"))
    assert events == [
        ("proposed", events[0][1]),
        ("accepted_by_student", student.pk),
        ("confirmed", host.pk),
    ]
    kinds = sorted(m.subject for m in mail.outbox)
    assert len(kinds) == 2  # the confirmation, to each side


def test_the_family_may_accept_first(proposal: Proposal, client_for: Any) -> None:
    response = client_for(host_of(proposal)).post(f"/api/proposals/{proposal.pk}/accept/")
    assert response.json()["status"] == "accepted_by_host"


def test_decline_releases_the_seat_and_keeps_the_declined_row(
    proposal: Proposal, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    host = host_of(proposal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(host).post(
            f"/api/proposals/{proposal.pk}/decline/", {"reason": "We are away that day."}
        )
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["my_answer"] == "decline"
    assert seats_taken(proposal) == 0
    proposal.refresh_from_db()
    assert proposal.status == "declined" and proposal.host_answer == "declined"
    event = ProposalEvent.objects.filter(proposal=proposal).last()
    assert event.reason == "We are away that day." and event.actor == host
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("state", ["declined", "expired", "cancelled", "confirmed"])
def test_answering_a_closed_proposal_is_a_409(
    proposal: Proposal, client_for: Any, state: str
) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(status=state)
    for user in (student_of(proposal), host_of(proposal)):
        for action in ("accept", "decline"):
            response = client_for(user).post(f"/api/proposals/{proposal.pk}/{action}/")
            assert response.status_code == 409, (state, action)
            assert response.json()["detail"]


def test_answering_twice_from_one_side_is_a_409(proposal: Proposal, client_for: Any) -> None:
    client = client_for(student_of(proposal))
    assert client.post(f"/api/proposals/{proposal.pk}/accept/").status_code == 200
    assert client.post(f"/api/proposals/{proposal.pk}/accept/").status_code == 409
    assert client.post(f"/api/proposals/{proposal.pk}/decline/").status_code == 409
    proposal.refresh_from_db()
    assert proposal.status == "accepted_by_student"


def test_answering_after_the_deadline_is_a_409_even_before_the_expiry_task(
    proposal: Proposal, client_for: Any
) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(deadline=timezone.now() - dt.timedelta(1))
    response = client_for(student_of(proposal)).post(f"/api/proposals/{proposal.pk}/accept/")
    assert response.status_code == 409


def test_a_non_party_gets_404_on_every_proposal_endpoint(
    proposal: Proposal, client_for: Any
) -> None:
    for outsider in (make_student(), make_host()):
        client = client_for(outsider)
        assert client.get("/api/proposals/").json() == []
        assert client.get(f"/api/proposals/{proposal.pk}/").status_code == 404
        for action in ("accept", "decline"):
            assert client.post(f"/api/proposals/{proposal.pk}/{action}/").status_code == 404
        feedback = {"rating": 5, "comment": "", "would_meet_again": True}
        response = client.post(f"/api/proposals/{proposal.pk}/feedback/", feedback)
        assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_draft_is_invisible_to_its_parties(rnd: Round, client_for: Any) -> None:
    draft = draft_proposal(rnd=rnd)
    client = client_for(draft.student_application.user)
    assert client.get("/api/proposals/").json() == []
    assert client.post(f"/api/proposals/{draft.pk}/accept/").status_code == 404


def test_coordinator_endpoints_refuse_the_parties(proposal: Proposal, client_for: Any) -> None:
    client = client_for(student_of(proposal))
    pk = proposal.pk
    assert client.get(f"/api/proposals/{pk}/events/").status_code == 403
    assert client.post(f"/api/proposals/{pk}/cancel/", {"reason": "x"}).status_code == 403
    assert client.post(f"/api/proposals/{pk}/remind/").status_code == 403
    body = {"side": "host", "answer": "accept", "reason": "phone"}
    assert client.post(f"/api/proposals/{pk}/answer-on-behalf/", body).status_code == 403
    assert client.get(f"/api/proposals/{pk}/feedback/").status_code == 403
    assert client.get(f"/api/programs/{proposal.program_id}/proposals/").status_code == 403


def test_the_list_costs_the_same_queries_for_one_row_or_many(
    rnd: Round, publish: Any, client_for: Any
) -> None:
    host = make_host()
    host_app = factories.HostApplicationFactory(program=rnd.program, user=host, seats=3)
    draft_proposal(rnd=rnd, host_app=host_app)
    publish(rnd)
    client = client_for(host)
    client.get("/api/proposals/")  # warm the token and reference caches
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/proposals/").json()) == 1
    later = factories.RoundFactory(program=rnd.program)
    for _ in range(2):
        draft_proposal(rnd=later, host_app=host_app)
    other_program = factories.RoundFactory()
    other_app = factories.HostApplicationFactory(program=other_program.program, user=host)
    draft_proposal(rnd=other_program, host_app=other_app)
    Proposal.objects.filter(round=rnd).update(status="confirmed")
    publish(later)
    publish(other_program)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/proposals/").json()) == 4
    assert len(many) == len(one)


def test_the_list_shows_each_party_what_the_detail_shows(
    rnd: Round, publish: Any, client_for: Any
) -> None:
    # The list loads only the columns it shows; the detail loads the proposal in full.
    host = make_host(address="1-2-3 Naka-cho", phone="0422-00-0000")
    host_app = factories.HostApplicationFactory(program=rnd.program, user=host, seats=3)
    confirmed, proposed = (draft_proposal(rnd=rnd, host_app=host_app) for _ in range(2))
    publish(rnd)
    Proposal.objects.filter(pk=confirmed.pk).update(status=Proposal.Status.CONFIRMED)
    for party in (host, student_of(confirmed), student_of(proposed)):
        client = client_for(party)
        rows = client.get("/api/proposals/").json()
        assert rows
        assert rows == [client.get(f"/api/proposals/{row['id']}/").json() for row in rows]
    (told,) = client_for(student_of(confirmed)).get("/api/proposals/").json()
    assert told["counterpart"]["address"] == "1-2-3 Naka-cho"
    (untold,) = client_for(student_of(proposed)).get("/api/proposals/").json()
    assert not set(PRIVATE) & set(untold["counterpart"])


def test_the_list_reads_rows_then_the_other_sides_profiles_in_one_more_query(
    rnd: Round, publish: Any, django_assert_num_queries: Any
) -> None:
    # The other side's users and profiles come in one query for all the rows, not one a row.
    host = make_host()
    host_app = factories.HostApplicationFactory(program=rnd.program, user=host, seats=3)
    first, second = (draft_proposal(rnd=rnd, host_app=host_app) for _ in range(2))
    publish(rnd)
    student = student_of(first)
    with django_assert_num_queries(2):
        (seen_by_student,) = selectors.party_proposals(user=student)
    assert seen_by_student.counterpart["household_size"] == host.host_profile.household_size
    assert seen_by_student.counterpart["station"]["slug"] == host.host_profile.home_station_id
    with django_assert_num_queries(2):
        seen_by_host = selectors.party_proposals(user=host)
    assert [row.counterpart["id"] for row in seen_by_host] == [
        student_of(first).pk,
        student_of(second).pk,
    ]
    assert seen_by_host[0].counterpart["allergies"] == student.student_profile.allergies


def test_a_side_without_a_profile_is_listed_with_empty_fields(
    rnd: Round, publish: Any, client_for: Any
) -> None:
    # A missing profile is shown as empty fields, not an error.
    host = make_host()
    host_app = factories.HostApplicationFactory(program=rnd.program, user=host, seats=3)
    proposal = draft_proposal(rnd=rnd, host_app=host_app)
    publish(rnd)
    student = student_of(proposal)
    host.host_profile.delete()
    student.student_profile.delete()
    response = client_for(student).get("/api/proposals/")
    assert response.status_code == 200
    family = response.json()[0]["counterpart"]
    assert family["household_name"] == host.name
    assert family["station"] is None and family["languages"] == []
    response = client_for(host).get("/api/proposals/")
    assert response.status_code == 200
    guest = response.json()[0]["counterpart"]
    assert guest["nationality"] == "" and guest["allergies"] == []


def test_each_listed_row_is_what_the_detail_answers(
    rnd: Round, publish: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    host = make_host()
    host_app = factories.HostApplicationFactory(program=rnd.program, user=host, seats=3)
    confirmed = draft_proposal(rnd=rnd, host_app=host_app)
    waiting = draft_proposal(rnd=rnd, host_app=host_app)
    draft_proposal(rnd=factories.RoundFactory(program=rnd.program), host_app=host_app)
    publish(rnd)
    for party in (student_of(confirmed), host):
        _accept(client_for(party), confirmed, django_capture_on_commit_callbacks)
    for user, count in ((student_of(confirmed), 1), (student_of(waiting), 1), (host, 2)):
        client = client_for(user)
        rows = client.get("/api/proposals/").json()
        assert len(rows) == count  # never another round's draft
        assert rows == [client.get(f"/api/proposals/{row['id']}/").json() for row in rows]
    (seen_by_student,) = client_for(student_of(confirmed)).get("/api/proposals/").json()
    assert seen_by_student["counterpart"]["address"]
    assert seen_by_student["conversation"]


def test_a_student_sees_a_family_without_address_until_confirmed(
    proposal: Proposal, client_for: Any
) -> None:
    client = client_for(student_of(proposal))
    detail = client.get(f"/api/proposals/{proposal.pk}/").json()
    assert not set(PRIVATE) & set(detail["counterpart"])
    Proposal.objects.filter(pk=proposal.pk).update(status="confirmed")
    detail = client.get(f"/api/proposals/{proposal.pk}/").json()
    assert detail["counterpart"]["address"]


def test_a_coordinator_reads_any_proposal_in_full(
    proposal: Proposal, coordinator: User, client_for: Any
) -> None:
    detail = client_for(coordinator).get(f"/api/proposals/{proposal.pk}/").json()
    assert detail["host"]["address"] == host_of(proposal).host_profile.address
    assert detail["student"]["name"] == student_of(proposal).name
    assert detail["waiting_for"] == ["student", "host"]


def test_coordinators_cannot_answer_as_themselves(
    proposal: Proposal, coordinator: User, client_for: Any
) -> None:
    assert client_for(coordinator).post(f"/api/proposals/{proposal.pk}/accept/").status_code == 403


def test_unknown_proposal_is_a_404(student: User, client_for: Any) -> None:
    assert client_for(student).post("/api/proposals/987654/accept/").status_code == 404


def test_decline_reason_too_long_is_a_400_naming_reason(
    proposal: Proposal, client_for: Any
) -> None:
    response = client_for(student_of(proposal)).post(
        f"/api/proposals/{proposal.pk}/decline/", {"reason": "x" * 2001}
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_later_round_after_confirmation_keeps_the_confirmed_seat(
    proposal: Proposal, client_for: Any
) -> None:
    for user in (student_of(proposal), host_of(proposal)):
        client_for(user).post(f"/api/proposals/{proposal.pk}/accept/")
    assert Proposal.objects.get(pk=proposal.pk).status == "confirmed"
    assert seats_taken(proposal) == 1


def test_each_side_sees_the_needs_and_facts_of_the_day_and_no_other_wish(
    proposal: Proposal, client_for: Any
) -> None:
    student, host = student_of(proposal), host_of(proposal)
    type(student.student_profile).objects.filter(pk=student.student_profile.pk).update(
        needs_prayer_space=True, avoid_pets=["dog"], household_preference="women_only"
    )
    type(host.host_profile).objects.filter(pk=host.host_profile.pk).update(
        easy_japanese=True, step_free=True
    )
    family = client_for(student).get("/api/proposals/").json()[0]["counterpart"]
    assert (family["easy_japanese"], family["step_free"], family["prayer_space"]) == (
        True,
        True,
        False,
    )
    seen = client_for(host).get("/api/proposals/").json()[0]["counterpart"]
    assert (seen["needs_prayer_space"], seen["needs_step_free"]) == (True, False)
    assert not {"avoid_pets", "household_preference", "children_preference"} & set(seen)
