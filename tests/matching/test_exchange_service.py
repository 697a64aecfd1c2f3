"""Language-exchange rounds on the database: the problem built from applications and profiles,
and the draft written from the solver's answer."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from matching.models import Application, Feedback, HostDay, Program, Proposal, Round, Unplaced
from matching.services.exchange import (
    exchange_problem_for_round,
    exchange_round_write,
)
from matching.solver.exchange import solve_exchange
from tests import factories
from tests.matching.conftest import future_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchange_program(coordinator: User) -> Program:
    return factories.ProgramFactory(
        created_by=coordinator,
        kind=Program.Kind.LANGUAGE_EXCHANGE,
        dates=future_days(20, 50),
    )


def applicant(
    program: Program,
    *,
    teaches: list[str],
    learns: list[str],
    languages: list[dict[str, str]],
    fmt: str = "online",
    slots: tuple[str, ...] = ("mon-eve",),
    host: bool = False,
    **profile: Any,
) -> Application:
    if host:
        user = factories.HostProfileFactory(languages=languages, **profile).user
    else:
        user = factories.StudentProfileFactory(languages=languages, **profile).user
    return factories.ApplicationFactory(
        program=program,
        user=user,
        teaches=teaches,
        learns=learns,
        format=fmt,
        time_slots=list(slots),
    )


def japanese(program: Program, **kw: Any) -> Application:
    return applicant(
        program,
        teaches=["ja"],
        learns=["en"],
        languages=[{"code": "ja", "level": "native"}, {"code": "en", "level": "beginner"}],
        host=True,
        **kw,
    )


def english(program: Program, **kw: Any) -> Application:
    return applicant(
        program,
        teaches=["en"],
        learns=["ja"],
        languages=[{"code": "en", "level": "native"}, {"code": "ja", "level": "intermediate"}],
        **kw,
    )


def new_round(program: Program, **kw: Any) -> Round:
    return factories.RoundFactory(
        program=program, created_by=program.created_by, status=Round.Status.RUNNING, **kw
    )


def run(rnd: Round) -> None:
    exchange_round_write(round=rnd, result=solve_exchange(exchange_problem_for_round(round=rnd)))


def test_problem_reads_levels_stations_and_limits_from_profiles(
    exchange_program: Program, django_assert_num_queries: Any
) -> None:
    ja = japanese(exchange_program, interests=["cooking"], home_station_id="mitaka")
    en = english(
        exchange_program,
        gender="male",
        max_travel_minutes=45,
        interests=["music"],
        home_station_id="kichijoji",
    )
    en.gender_preference = "female"
    en.times_unplaced = 2
    en.save()
    rnd = new_round(exchange_program, weights={"travel": 30.0})
    # The applications, then the pair history: declines, incidents' "never again", feedback.
    with django_assert_num_queries(4):
        problem = exchange_problem_for_round(round=rnd)
    people = {p.key: p for p in problem.applicants}
    assert set(people) == {ja.pk, en.pk}
    assert people[ja.pk].teaches == {"ja": "native"}
    assert people[ja.pk].learns == {"en": "beginner"}
    assert people[ja.pk].max_travel_minutes == 60  # a family profile has no limit
    assert people[ja.pk].gender == "unspecified"
    assert people[ja.pk].lat == pytest.approx(35.7027)
    assert people[en.pk].learns == {"ja": "intermediate"}
    assert people[en.pk].max_travel_minutes == 45
    assert people[en.pk].gender_preference == "female"
    assert people[en.pk].times_unplaced == 2
    assert people[en.pk].interests == ("music",)
    assert problem.weights == {"travel": 30.0}


def test_pool_query_count_does_not_grow(
    exchange_program: Program, django_assert_num_queries: Any
) -> None:
    for _ in range(6):
        japanese(exchange_program)
        english(exchange_program)
    rnd = new_round(exchange_program)
    # The applications, then the pair history: declines, incidents' "never again", feedback.
    with django_assert_num_queries(4):
        problem = exchange_problem_for_round(round=rnd)
    assert len(problem.applicants) == 12


def test_round_writes_draft_pairs_seats_unplaced_and_stats(exchange_program: Program) -> None:
    ja = japanese(exchange_program)
    en = english(exchange_program)
    lonely = applicant(
        exchange_program,
        teaches=["vi"],
        learns=["ko"],
        languages=[{"code": "vi", "level": "native"}],
    )
    rnd = new_round(exchange_program)
    run(rnd)

    rnd.refresh_from_db()
    assert rnd.status == Round.Status.DRAFT
    proposal = Proposal.objects.get(round=rnd)
    low, high = sorted([ja.pk, en.pk])
    assert (proposal.student_application_id, proposal.host_application_id) == (low, high)
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.date.isoformat() == exchange_program.dates[0]
    assert proposal.score == pytest.approx(sum(proposal.breakdown.values()), abs=1e-9)
    assert all(isinstance(v, float) for v in proposal.breakdown.values())
    day = HostDay.objects.get(application_id=high, date=proposal.date)
    assert (day.seats, day.seats_taken) == (1, 0)

    unplaced = Unplaced.objects.get(round=rnd)
    assert unplaced.application_id == lonely.pk
    assert unplaced.reasons[0]["code"] == "no_language_match"
    assert unplaced.reasons[0]["text"]

    info = rnd.stats["exchange_pairs"][str(proposal.pk)]
    assert {(d["teacher"], d["learner"], d["language"]) for d in info["directions"]} == {
        (ja.pk, en.pk, "ja"),
        (en.pk, ja.pk, "en"),
    }
    assert info["meeting"] == "online"
    stats = rnd.stats
    assert (stats["students"], stats["matched"], stats["unmatched"]) == (3, 1, 1)
    assert stats["gap"] == 0.0
    assert stats["upper_bound"] >= stats["total_score"]


def test_in_person_pair_outside_the_travel_limit_is_not_proposed(
    exchange_program: Program,
) -> None:
    japanese(exchange_program, fmt="in_person", home_station_id="tachikawa")
    english(exchange_program, fmt="either", home_station_id="shinjuku", max_travel_minutes=30)
    rnd = new_round(exchange_program)
    run(rnd)
    assert not Proposal.objects.filter(round=rnd).exists()
    assert {u.reasons[0]["code"] for u in Unplaced.objects.filter(round=rnd)} == {"travel_too_far"}


def test_declined_pair_is_not_proposed_again(exchange_program: Program) -> None:
    ja = japanese(exchange_program)
    en = english(exchange_program)
    first = new_round(exchange_program)
    factories.ProposalFactory(
        round=first,
        program=exchange_program,
        student_application=ja,
        host_application=en,
        status=Proposal.Status.DECLINED,
    )
    rnd = new_round(exchange_program)
    problem = exchange_problem_for_round(round=rnd)
    assert problem.forbidden == {(min(ja.pk, en.pk), max(ja.pk, en.pk)): "declined"}
    run(rnd)
    assert not Proposal.objects.filter(round=rnd).exists()
    reasons = {u.application_id: u.reasons[0] for u in Unplaced.objects.filter(round=rnd)}
    assert reasons[ja.pk]["code"] == "forbidden"
    assert reasons[ja.pk]["params"]["why"] == ["declined"]


def test_bad_feedback_and_coordinator_forbid(exchange_program: Program) -> None:
    ja = japanese(exchange_program)
    en = english(exchange_program)
    ja2 = japanese(exchange_program)
    en2 = english(exchange_program)
    earlier = factories.ProgramFactory(kind=Program.Kind.LANGUAGE_EXCHANGE)
    old = factories.ProposalFactory(
        round=factories.RoundFactory(program=earlier, created_by=earlier.created_by),
        program=earlier,
        student_application=factories.ApplicationFactory(program=earlier, user=ja2.user),
        host_application=factories.ApplicationFactory(program=earlier, user=en2.user),
        status=Proposal.Status.CONFIRMED,
    )
    Feedback.objects.create(proposal=old, author=ja2.user, rating=1, would_meet_again=False)
    rnd = new_round(exchange_program, forbids=[[en.pk, ja.pk]])
    problem = exchange_problem_for_round(round=rnd)
    assert problem.forbidden == {
        (min(ja.pk, en.pk), max(ja.pk, en.pk)): "coordinator",
        (min(ja2.pk, en2.pk), max(ja2.pk, en2.pk)): "bad_feedback",
    }
    run(rnd)
    pairs = {
        frozenset((p.student_application_id, p.host_application_id))
        for p in Proposal.objects.filter(round=rnd)
    }
    assert pairs == {frozenset((ja.pk, en2.pk)), frozenset((ja2.pk, en.pk))}


def test_applicant_with_a_live_proposal_on_either_side_is_left_out(
    exchange_program: Program,
) -> None:
    a, b = japanese(exchange_program), english(exchange_program)
    c, d = japanese(exchange_program), english(exchange_program)
    earlier = new_round(exchange_program)
    factories.ProposalFactory(
        round=earlier,
        program=exchange_program,
        student_application=a,
        host_application=b,
        status=Proposal.Status.CONFIRMED,
    )
    withdrawn = english(exchange_program)
    withdrawn.status = Application.Status.WITHDRAWN
    withdrawn.save()
    problem = exchange_problem_for_round(round=new_round(exchange_program))
    assert {p.key for p in problem.applicants} == {c.pk, d.pk}


def test_write_is_all_or_nothing(exchange_program: Program) -> None:
    japanese(exchange_program)
    english(exchange_program)
    rnd = new_round(exchange_program)
    result = solve_exchange(exchange_problem_for_round(round=rnd))
    broken = type(result)(
        pairs=result.pairs, unplaced=result.unplaced, stats=result.stats, meetings={}
    )
    with pytest.raises(KeyError):
        exchange_round_write(round=rnd, result=broken)
    assert not Proposal.objects.filter(round=rnd).exists()
    assert not HostDay.objects.filter(application__program=exchange_program).exists()
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.RUNNING


def test_runs_on_postgres_too(postgres: None, exchange_program: Program) -> None:
    for _ in range(3):
        japanese(exchange_program)
        english(exchange_program)
    rnd = new_round(exchange_program)
    run(rnd)
    assert Proposal.objects.filter(round=rnd).count() == 3


def test_pinned_pair_is_proposed(exchange_program: Program) -> None:
    ja, en = japanese(exchange_program), english(exchange_program)
    ja2, en2 = japanese(exchange_program), english(exchange_program)
    rnd = new_round(exchange_program, pins=[[en2.pk, ja.pk]])
    run(rnd)
    pairs = {
        frozenset((p.student_application_id, p.host_application_id))
        for p in Proposal.objects.filter(round=rnd)
    }
    assert frozenset((ja.pk, en2.pk)) in pairs
    assert frozenset((ja2.pk, en.pk)) in pairs


def test_exchange_draft_publishes_and_confirms_through_the_proposal_flow(
    exchange_program: Program, coordinator: User
) -> None:
    from matching.services.proposals import proposal_accept, round_publish

    ja, en = japanese(exchange_program), english(exchange_program)
    rnd = new_round(exchange_program)
    run(rnd)
    published = round_publish(round_id=rnd.pk, by=coordinator)
    assert published.skipped == []
    proposal = Proposal.objects.get(round=rnd)
    assert proposal.status == Proposal.Status.PROPOSED
    assert HostDay.objects.get(application_id=proposal.host_application_id).seats_taken == 1
    proposal_accept(proposal_id=proposal.pk, by=ja.user)
    proposal_accept(proposal_id=proposal.pk, by=en.user)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CONFIRMED
    # Both are now taken: the next round has nobody to pair.
    assert exchange_problem_for_round(round=new_round(exchange_program)).applicants == []
