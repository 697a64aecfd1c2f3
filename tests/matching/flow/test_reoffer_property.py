"""A property of re-offers: after any sequence of answers, declines, expiries and
cancellations (each freed seat offered again as the rules say), no live proposal breaks a hard
rule, no family's day holds more students than it offered, no student holds two live
proposals, and no pair that one side declined is ever proposed again."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import User
from matching.models import Application, HostDay, Proposal, Reoffer, Round
from matching.selectors.rounds import RoundPool, pairs_never_again
from matching.services import proposals as services
from matching.services.rounds import round_run, round_start
from matching.services.solver_input import round_problem
from matching.solver import Assignment, Result, list_hard_rule_violations
from tests import factories
from tests.matching.flow.conftest import make_host, make_student

pytestmark = pytest.mark.django_db

# (action, which live proposal, which side): the index wraps around the live proposals.
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["accept", "decline", "expire", "cancel"]),
        st.integers(min_value=0, max_value=30),
        st.sampled_from(["student", "host"]),
    ),
    min_size=1,
    max_size=12,
)


def _world(coordinator: User) -> Round:
    """Seven students (two who need a smoke-free home, one allergic to cats, one vegan) and
    three families (one smokes, one keeps a cat, one with two seats) on the first of two
    visit days: four seats, so a freed seat has students waiting for it."""
    program = factories.ProgramFactory(created_by=coordinator)
    students: list[dict[str, Any]] = [
        {},
        {},
        {"needs_non_smoking": True},
        {"needs_non_smoking": True},
        {"allergies": ["cat"]},
        {"diet": ["vegan"]},
        {"interests": ["gardening"]},
    ]
    for profile in students:
        factories.ApplicationFactory(program=program, user=make_student(**profile))
    for profile, seats in (({"smoking": True}, 1), ({"pets": ["cat"]}, 1), ({}, 2)):
        factories.HostApplicationFactory(
            program=program, user=make_host(**profile), dates=program.dates[:1], seats=seats
        )
    rnd = round_start(program=program, by=coordinator)
    round_run(round_id=rnd.pk)
    services.round_publish(round_id=rnd.pk, by=coordinator)
    return rnd


def _check_invariants(rnd: Round) -> None:
    program = rnd.program
    live = list(
        Proposal.objects.filter(program=program, status__in=Proposal.LIVE).select_related(
            "student_application", "host_application"
        )
    )
    # Hard rules, the seats each family offered, and the declined pairs, checked by the
    # solver's own pair-by-pair checker over every applicant of the programme.
    apps = Application.objects.filter(program=program).select_related(
        "user__student_profile__home_station", "user__host_profile__home_station"
    )
    students = [a for a in apps if a.role == "student"]
    hosts = [a for a in apps if a.role == "host"]
    seats = {
        host.pk: {d.date.isoformat(): d.seats for d in HostDay.objects.filter(application=host)}
        for host in hosts
    }
    pool = RoundPool(students=students, hosts=hosts, free_seats=seats)
    app_of = {a.user_id: a.pk for a in apps}
    declined = {
        (app_of[s], app_of[h]): reason
        for (s, h), reason in pairs_never_again(user_ids=list(app_of)).items()
    }
    problem, skipped = round_problem(rnd=rnd, pool=pool, history=declined)
    assert skipped == []
    index = {label: i for i, label in enumerate(program.dates)}
    result = Result(
        assignments=[
            Assignment(
                student_key=p.student_application_id,
                host_key=p.host_application_id,
                date_index=index[p.date.isoformat()],
                score=p.score,
                breakdown={},
            )
            for p in live
        ],
        unplaced_students=[],
        unplaced_hosts=[],
        stats={},
    )
    assert list_hard_rule_violations(problem, result) == []
    # One live proposal per student; the seat counters agree with the live proposals.
    assert max(Counter(p.student_application_id for p in live).values(), default=0) <= 1
    held = Counter((p.host_application_id, p.date) for p in live)
    for day in HostDay.objects.filter(application__program=program):
        assert day.seats_taken == held[(day.application_id, day.date)] <= day.seats
    # A declined pair never comes back, in any status.
    pairs = (
        Proposal.objects.filter(program=program)
        .exclude(status=Proposal.Status.DRAFT)
        .values("student_application__user_id", "host_application__user_id")
        .annotate(n=Count("id"))
    )
    for row in pairs:
        assert row["n"] == 1, row


def _apply(rnd: Round, coordinator: User, action: str, which: int, side: str) -> None:
    statuses = Proposal.OPEN if action != "cancel" else Proposal.LIVE
    candidates = list(
        Proposal.objects.filter(program=rnd.program, status__in=statuses)
        .select_related("student_application__user", "host_application__user")
        .order_by("id")
    )
    if not candidates:
        return
    proposal = candidates[which % len(candidates)]
    party = (
        proposal.student_application.user if side == "student" else proposal.host_application.user
    )
    if action == "expire":
        Proposal.objects.filter(pk=proposal.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
        services.proposals_expire()
    elif action == "cancel":
        services.proposal_cancel(proposal_id=proposal.pk, by=coordinator, reason="test")
    elif getattr(proposal, f"{side}_answer"):
        return  # this side has answered: the service would refuse (its own tests say so)
    elif action == "decline":
        services.proposal_decline(proposal_id=proposal.pk, by=party)
    else:
        services.proposal_accept(proposal_id=proposal.pk, by=party)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_no_sequence_of_frees_breaks_a_rule_overfills_a_seat_or_repeats_a_declined_pair(
    actions: list[tuple[str, int, str]],
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Each example in a savepoint of its own, rolled back at its end: a fresh world each time.
    with transaction.atomic():
        rnd = _world(coordinator)
        _check_invariants(rnd)
        offered = Proposal.objects.filter(program=rnd.program).count()
        assert offered == 4  # every seat taken, three students waiting for a freed one
        for action, which, side in actions:
            # The re-offer runs on commit, as it would after a real answer.
            with django_capture_on_commit_callbacks(execute=True):
                _apply(rnd, coordinator, action, which, side)
            _check_invariants(rnd)
        # Shown by --hypothesis-show-statistics: how often the examples re-offered a seat.
        event("re-offered" if Reoffer.objects.filter(outcome="offered").exists() else "none")
        transaction.set_rollback(True)
