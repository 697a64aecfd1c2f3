"""Concurrency on PostgreSQL with real threads, each on its own connection: the row locks and
constraints keep one transition per answer, one published round, seats within bounds."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_for
from matching.models import HostDay, Proposal, ProposalEvent, Round
from matching.services import proposals as services
from tests import factories
from tests.matching.flow.conftest import draft_proposal, host_of, seats_taken, student_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at once; each result or exception."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # the test inspects every outcome
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def _published(coordinator: User, drafts: int = 1, seats: int = 1) -> list[Proposal]:
    rnd = factories.RoundFactory()
    made = [draft_proposal(rnd=rnd, seats=seats) for _ in range(drafts)]
    services.round_publish(round_id=rnd.pk, by=coordinator)
    return [Proposal.objects.get(pk=p.pk) for p in made]


def _chain_is_consistent(proposal: Proposal) -> None:
    events = list(ProposalEvent.objects.filter(proposal=proposal).order_by("id"))
    assert events[0].from_status == "draft"
    for before, after in itertools.pairwise(events):
        assert after.from_status == before.to_status
    assert events[-1].to_status == proposal.status


def test_fifty_simultaneous_accepts_make_one_transition(postgres: None, coordinator: User) -> None:
    (proposal,) = _published(coordinator)
    token = token_for(user=student_of(proposal))

    def accept(_i: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(f"/api/proposals/{proposal.pk}/accept/").status_code

    codes = run_together(50, accept)
    assert sorted(codes) == [200] + [409] * 49, codes
    proposal.refresh_from_db()
    assert proposal.status == "accepted_by_student"
    assert (
        ProposalEvent.objects.filter(proposal=proposal, to_status="accepted_by_student").count()
        == 1
    )
    _chain_is_consistent(proposal)


def test_two_drafts_of_one_programme_published_together_one_wins(
    postgres: None, coordinator: User
) -> None:
    program = factories.ProgramFactory()
    host_app = factories.HostApplicationFactory(program=program, seats=1)
    rounds = [factories.RoundFactory(program=program) for _ in range(2)]
    for rnd in rounds:
        draft_proposal(rnd=rnd, host_app=host_app)

    def publish(i: int) -> Any:
        return services.round_publish(round_id=rounds[i].pk, by=coordinator)

    results = run_together(2, publish)
    wins = [r for r in results if isinstance(r, services.PublishResult)]
    losses = [r for r in results if isinstance(r, services.RoundConflict)]
    assert (len(wins), len(losses)) == (1, 1), results
    statuses = sorted(Round.objects.filter(program=program).values_list("status", flat=True))
    assert statuses == ["discarded", "published"]
    day = HostDay.objects.get(application=host_app, date=program.dates[0])
    assert day.seats_taken == 1
    assert Proposal.objects.filter(program=program, status="proposed").count() == 1


def test_many_publishes_for_one_host_day_never_exceed_its_seats(
    postgres: None, coordinator: User
) -> None:
    program = factories.ProgramFactory()
    host_app = factories.HostApplicationFactory(program=program, seats=2)
    rounds = [factories.RoundFactory(program=program) for _ in range(8)]
    for rnd in rounds:
        for _ in range(3):  # each draft alone would over-fill the day
            draft_proposal(rnd=rnd, host_app=host_app)

    results = run_together(
        len(rounds), lambda i: services.round_publish(round_id=rounds[i].pk, by=coordinator)
    )
    wins = [r for r in results if isinstance(r, services.PublishResult)]
    assert len(wins) == 1, results
    assert all(isinstance(r, (services.PublishResult, services.RoundConflict)) for r in results)
    assert len(wins[0].published) == 2 and len(wins[0].skipped) == 1
    day = HostDay.objects.get(application=host_app, date=program.dates[0])
    live = Proposal.objects.filter(host_application=host_app, status__in=Proposal.LIVE).count()
    assert day.seats_taken == live == 2


@pytest.mark.parametrize("attempt", range(4))
def test_accepts_racing_a_cancellation_end_consistent(
    postgres: None, coordinator: User, attempt: int
) -> None:
    (proposal,) = _published(coordinator)
    student, host = student_of(proposal), host_of(proposal)
    actions: list[Callable[[], Any]] = [
        lambda: services.proposal_accept(proposal_id=proposal.pk, by=student),
        lambda: services.proposal_accept(proposal_id=proposal.pk, by=host),
        lambda: services.proposal_cancel(proposal_id=proposal.pk, by=coordinator, reason="r"),
    ]
    results = run_together(3, lambda i: actions[(i + attempt) % 3]())
    unexpected = [
        r
        for r in results
        if isinstance(r, Exception) and not isinstance(r, services.ProposalConflict)
    ]
    assert unexpected == []
    proposal.refresh_from_db()
    assert proposal.status in ("confirmed", "cancelled")
    assert seats_taken(proposal) == (1 if proposal.status == "confirmed" else 0)
    _chain_is_consistent(proposal)
    from chat.models import Conversation

    conversation = Conversation.objects.filter(proposal=proposal).first()
    if proposal.status == "confirmed":
        assert conversation is not None and conversation.status == "open"
    else:
        assert conversation is None or conversation.status == "closed"


def test_declines_and_expiry_racing_release_the_seat_once(
    postgres: None, coordinator: User
) -> None:
    proposals = _published(coordinator, drafts=3, seats=1)
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
        deadline=Proposal.objects.get(pk=proposals[0].pk).deadline
    )

    def act(i: int) -> Any:
        if i < 3:
            return services.proposal_decline(
                proposal_id=proposals[i].pk, by=student_of(proposals[i])
            )
        return services.proposals_expire(now=timezone.now() + dt.timedelta(days=30))

    run_together(6, act)
    for proposal in proposals:
        proposal.refresh_from_db()
        assert proposal.status in ("declined", "expired")
        assert seats_taken(proposal) == 0
        assert ProposalEvent.objects.filter(proposal=proposal).count() == 2
