"""Groups and "not alone" from the database to the solver and back: a round run through the
service places a confirmed pair on one family and day or neither, a pending invitation binds
nobody, a student whose partner cannot come is left out with that reason, and "not alone" is
kept; the round's detail says so."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from matching.models import Application, GroupRequest, Program, Proposal, Round, Unplaced
from matching.selectors.rounds import applications_for_round, round_detail
from matching.services import groups as group_services
from tests import factories

pytestmark = pytest.mark.django_db

MakeApp = Callable[..., Application]
RunRound = Callable[..., Round]


def _friends(program: Program, a: Application, b: Application, confirm: bool = True) -> None:
    request = group_services.group_request_create(program=program, by=a.user, email=b.user.email)
    if confirm:
        group_services.group_request_confirm(request_id=request.pk, by=b.user)


def _placed(rnd: Round) -> dict[int, tuple[int, str]]:
    return {
        p.student_application_id: (p.host_application_id, p.date.isoformat())
        for p in Proposal.objects.filter(round=rnd)
    }


def _codes(rnd: Round, app: Application) -> list[str]:
    return [r["code"] for r in Unplaced.objects.get(round=rnd, application=app).reasons]


def test_a_confirmed_pair_is_placed_together_on_one_family_and_day(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: RunRound,
) -> None:
    lan, ha = make_student(program), make_student(program)
    # Alone, each would rather go to a family sharing their interests (one seat each); only
    # the family with two seats can take both.
    make_host(program, seats=1, interests=["cooking", "music"])
    make_host(program, seats=1, interests=["cooking", "music"])
    both = make_host(program, seats=2, interests=["gardening"])
    _friends(program, lan, ha)
    rnd = run_rounds(program, coordinator)
    assert rnd.status == Round.Status.DRAFT, rnd.error
    placed = _placed(rnd)
    assert placed[lan.pk] == placed[ha.pk]
    assert placed[lan.pk][0] == both.pk
    assert rnd.groups == [[lan.pk, ha.pk]]
    rows = {p["student_application"]: p for p in round_detail(round_id=rnd.pk).proposals}
    assert rows[lan.pk]["group_partner"] == ha.pk
    assert rows[ha.pk]["group_partner"] == lan.pk


def test_a_pair_no_family_can_take_together_is_not_placed_at_all(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: RunRound,
) -> None:
    lan, ha = make_student(program), make_student(program)
    make_host(program, seats=1)
    make_host(program, seats=1)
    _friends(program, lan, ha)
    rnd = run_rounds(program, coordinator)
    assert _placed(rnd) == {}
    assert _codes(rnd, lan)[0] == "group" and _codes(rnd, ha)[0] == "group"
    # The review names the partner (one query more, for the names).
    unmatched = {u["application"]: u for u in round_detail(round_id=rnd.pk).unmatched}
    params = unmatched[lan.pk]["reasons"][0]["params"]
    assert (params["partner"], params["partner_name"]) == (ha.pk, ha.user.name)


def test_a_pending_invitation_binds_nobody(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: RunRound,
) -> None:
    lan, ha = make_student(program), make_student(program)
    make_host(program, seats=1)
    make_host(program, seats=1)
    _friends(program, lan, ha, confirm=False)
    rnd = run_rounds(program, coordinator)
    assert set(_placed(rnd)) == {lan.pk, ha.pk}
    assert rnd.groups == []


def test_a_student_whose_partner_already_has_a_visit_is_left_out_with_that_reason(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: RunRound,
) -> None:
    lan, ha = make_student(program), make_student(program)
    _friends(program, lan, ha)
    family = make_host(program, seats=3)
    factories.ProposalFactory(
        round=factories.RoundFactory(program=program, created_by=coordinator),
        student_application=lan,
        host_application=family,
        status=Proposal.Status.PROPOSED,
    )
    pool = applications_for_round(program=program)
    assert [(a.pk, code, p) for a, code, p in pool.apart] == [
        (ha.pk, "group_partner_placed", lan.pk)
    ]
    assert pool.students == [] and pool.groups == []
    rnd = run_rounds(program, coordinator)
    assert _placed(rnd) == {}
    assert _codes(rnd, ha) == ["group_partner_placed"]
    assert rnd.stats["apart"] == 1


def test_a_student_whose_partner_is_not_confirmed_by_a_school_is_left_out(
    program: Program, make_student: MakeApp, make_host: MakeApp
) -> None:
    lan, ha = make_student(program), make_student(program)
    _friends(program, lan, ha)
    make_host(program, seats=2)
    ha.user.registry.delete()
    pool = applications_for_round(program=program)
    assert [(a.pk, code) for a, code, _p in pool.apart] == [(lan.pk, "group_partner_not_ready")]
    assert [a.pk for a, _status in pool.ineligible] == [ha.pk]


def test_the_pool_reads_groups_in_the_same_six_queries(
    program: Program,
    make_student: MakeApp,
    make_host: MakeApp,
    django_assert_num_queries: Callable[..., object],
) -> None:
    make_host(program, seats=2)
    for _ in range(3):
        a, b = make_student(program), make_student(program)
        _friends(program, a, b)
    with django_assert_num_queries(6):  # type: ignore[operator]  # pytest-django's fixture
        pool = applications_for_round(program=program)
    assert len(pool.groups) == 3


def test_not_alone_is_placed_only_where_another_student_shares_the_day(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: RunRound,
) -> None:
    shy = make_student(program)
    Application.objects.filter(pk=shy.pk).update(not_alone=True)
    make_host(program, seats=1)
    rnd = run_rounds(program, coordinator)
    assert _placed(rnd) == {}
    assert "not_alone" in _codes(rnd, shy)
    # With a second student and a family of two seats, the two visit it on the same day.
    other = make_student(program)
    two = make_host(program, seats=2, interests=["gardening"])
    rnd = run_rounds(program, coordinator)
    placed = _placed(rnd)
    assert placed[shy.pk] == placed[other.pk] and placed[shy.pk][0] == two.pk
    rows = {p["student_application"]: p for p in round_detail(round_id=rnd.pk).proposals}
    assert rows[shy.pk]["not_alone"] is True and rows[other.pk]["not_alone"] is False


def test_an_ended_group_places_each_on_their_own(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: RunRound,
) -> None:
    lan, ha = make_student(program), make_student(program)
    make_host(program, seats=1)
    make_host(program, seats=1)
    _friends(program, lan, ha)
    request = GroupRequest.objects.get()
    group_services.group_request_decline(request_id=request.pk, by=lan.user)
    rnd = run_rounds(program, coordinator)
    assert set(_placed(rnd)) == {lan.pk, ha.pk}
