"""Feedback after the visit, private comments, family ratings, pairs kept apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from matching.models import Feedback, Proposal
from matching.selectors.proposals import host_ratings
from matching.selectors.rounds import pairs_never_again
from matching.services import proposals as services
from tests.matching.flow.conftest import host_of, student_of

pytestmark = pytest.mark.django_db

GOOD = {"rating": 5, "comment": "Lovely family, great curry.", "would_meet_again": True}


@pytest.fixture
def visited(proposal: Proposal) -> Proposal:
    """A confirmed proposal whose visit day was yesterday."""
    services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Proposal.objects.filter(pk=proposal.pk).update(date=yesterday)
    return Proposal.objects.get(pk=proposal.pk)


def test_each_side_leaves_feedback_once_after_the_visit(visited: Proposal, client_for: Any) -> None:
    url = f"/api/proposals/{visited.pk}/feedback/"
    for user in (student_of(visited), host_of(visited)):
        client = client_for(user)
        first = client.post(url, GOOD)
        assert first.status_code == 201, first.content
        assert first.json()["rating"] == 5
        again = client.post(url, GOOD)
        assert again.status_code == 409 and again.json()["detail"]
    assert Feedback.objects.filter(proposal=visited).count() == 2


def test_feedback_before_the_visit_day_is_a_409(proposal: Proposal, client_for: Any) -> None:
    services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    response = client_for(student_of(proposal)).post(
        f"/api/proposals/{proposal.pk}/feedback/", GOOD
    )
    assert response.status_code == 409
    assert not Feedback.objects.exists()


def test_feedback_on_an_unconfirmed_proposal_is_a_409(proposal: Proposal, client_for: Any) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(date=timezone.localdate() - dt.timedelta(1))
    response = client_for(host_of(proposal)).post(f"/api/proposals/{proposal.pk}/feedback/", GOOD)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6, "would_meet_again": True}, "rating"),
        ({"rating": 0, "would_meet_again": True}, "rating"),
        ({"rating": 3}, "would_meet_again"),
        ({"rating": 3, "would_meet_again": True, "comment": "x" * 4001}, "comment"),
    ],
)
def test_bad_feedback_is_a_400_naming_the_field(
    visited: Proposal, client_for: Any, body: dict[str, Any], field: str
) -> None:
    response = client_for(student_of(visited)).post(f"/api/proposals/{visited.pk}/feedback/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Feedback.objects.exists()


def test_comments_are_read_by_coordinators_only(
    visited: Proposal, coordinator: User, client_for: Any
) -> None:
    url = f"/api/proposals/{visited.pk}/feedback/"
    client_for(student_of(visited)).post(url, GOOD)
    assert client_for(host_of(visited)).get(url).status_code == 403
    assert client_for(student_of(visited)).get(url).status_code == 403
    rows = client_for(coordinator).get(url).json()
    assert rows[0]["comment"] == GOOD["comment"]
    assert rows[0]["side"] == "student"
    # Nothing of it reaches the family's view of the proposal.
    detail = client_for(host_of(visited)).get(f"/api/proposals/{visited.pk}/").json()
    assert GOOD["comment"] not in str(detail)


def test_a_familys_mean_rating_counts_the_students_ratings_only(
    visited: Proposal, client_for: Any
) -> None:
    url = f"/api/proposals/{visited.pk}/feedback/"
    client_for(student_of(visited)).post(url, {**GOOD, "rating": 4})
    client_for(host_of(visited)).post(url, {**GOOD, "rating": 1})
    host = host_of(visited)
    ratings = host_ratings(user_ids=[host.pk, student_of(visited).pk])
    assert set(ratings) == {host.pk}
    assert ratings[host.pk].mean == 4.0 and ratings[host.pk].count == 1


def test_a_pair_flagged_badly_is_kept_apart(visited: Proposal, client_for: Any) -> None:
    pair = (student_of(visited).pk, host_of(visited).pk)
    assert pair not in pairs_never_again(user_ids=pair)
    client_for(host_of(visited)).post(
        f"/api/proposals/{visited.pk}/feedback/",
        {"rating": 4, "comment": "", "would_meet_again": False},
    )
    assert pairs_never_again(user_ids=pair) == {pair: "bad_feedback"}
    assert pairs_never_again(user_ids=pair[:1]) == {}  # both people of a pair are asked about


def test_a_declined_pair_is_kept_apart(proposal: Proposal) -> None:
    services.proposal_decline(proposal_id=proposal.pk, by=student_of(proposal))
    pair = (student_of(proposal).pk, host_of(proposal).pk)
    assert pairs_never_again(user_ids=pair) == {pair: "declined"}
