"""Fair ties in a round: the lottery's seed is recorded, replayed, and explained; history
from other programmes orders equals; the coordinator's hard tier."""

from __future__ import annotations

from collections.abc import Callable

from accounts.models import User
from matching.models import Application, Program, Round, Unplaced
from matching.selectors.rounds import applications_for_round, pair_history
from matching.services.solver_input import round_problem
from tests import factories

MakeApp = Callable[..., Application]


def test_a_round_records_its_lottery_seed_and_the_solver_gets_it_with_each_history(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: Callable[..., Round],
) -> None:
    twins = [make_student(program, interests=[]) for _ in range(3)]
    make_host(program, seats=1, dates=program.dates[:1])
    # one of them was left out twice in another programme
    other = factories.ProgramFactory(created_by=coordinator)
    factories.ApplicationFactory(program=other, user=twins[2].user, times_unplaced=2)
    rnd = run_rounds(program, coordinator)
    assert rnd.lottery_seed != 0 and rnd.stats["lottery_seed"] == rnd.lottery_seed
    pool = applications_for_round(program=program)
    problem, _ = round_problem(rnd=rnd, pool=pool, history=pair_history(pool=pool))
    assert problem.lottery_seed == rnd.lottery_seed
    assert {s.key: s.unplaced_before for s in problem.students}[twins[2].pk] == 2
    # equal students: the one left out before is placed, the others are told about the lottery
    assert rnd.proposals.get().student_application_id == twins[2].pk
    reasons = [
        r["code"]
        for u in Unplaced.objects.filter(round=rnd, application__in=twins[:2])
        for r in u.reasons
    ]
    assert reasons.count("priority") == 2


def test_the_coordinators_hard_tier_places_the_twice_unplaced_first(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: Callable[..., Round],
) -> None:
    keen = make_student(program, interests=["cooking", "anime", "music"])
    waiting = make_student(program, interests=[])
    make_host(program, seats=1, dates=program.dates[:1], interests=["cooking", "anime", "music"])
    Application.objects.filter(pk=waiting.pk).update(times_unplaced=2)
    rnd = run_rounds(program, coordinator)
    assert rnd.proposals.get().student_application_id == keen.pk
    Program.objects.filter(pk=program.pk).update(unplaced_twice_first=True)
    program.refresh_from_db()
    rnd.status = Round.Status.DISCARDED
    rnd.save(update_fields=["status"])
    rnd = run_rounds(program, coordinator)
    assert rnd.proposals.get().student_application_id == waiting.pk
