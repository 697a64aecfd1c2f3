"""The optimal mode: hard rules, seats, pins and forbids hold, and the optimum is exact."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

from bench.instances import make_problem
from matching.solver import Problem, Result, hard_rule_violations, solve
from matching.solver.pipeline import choose_quantum
from matching.solver.score import resolve_weights

from ._support import brute_force, dense_lsa, max_cardinality
from .strategies import problems

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(p: Problem, r: Result) -> tuple[int, int]:
    q = choose_quantum(len(p.students), resolve_weights(p.weights))
    return len(r.assignments), round(sum(a.score for a in r.assignments) / q)


def _seat_use(r: Result) -> dict[tuple[int, int], int]:
    use: dict[tuple[int, int], int] = {}
    for a in r.assignments:
        use[(a.host_key, a.date_index)] = use.get((a.host_key, a.date_index), 0) + 1
    return use


@SETTINGS
@given(problems(max_students=6, max_hosts=3))
def test_small_rounds_match_brute_force_and_break_no_rule(p: Problem) -> None:
    r = solve(p)
    assert hard_rule_violations(p, r) == 0
    seats = {(h.key, d): c for h in p.hosts for d, c in h.seats.items()}
    assert all(k <= seats[key] for key, k in _seat_use(r).items())
    assert all((a.student_key, a.host_key) not in p.forbidden for a in r.assignments)
    assert _value(p, r) == brute_force(p)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_students=30, max_hosts=12))
def test_larger_rounds_match_dense_assignment_and_max_cardinality(p: Problem) -> None:
    r = solve(p)
    assert hard_rule_violations(p, r) == 0
    placed, total = _value(p, r)
    assert placed == max_cardinality(p)
    assert (placed, total) == dense_lsa(p)


def test_nobody_unplaced_beside_a_free_feasible_seat_on_a_generated_round() -> None:
    p = make_problem(300, seed=3)
    r = solve(p)
    assert hard_rule_violations(p, r) == 0
    assert len(r.assignments) == max_cardinality(p)
    for u in r.unplaced_students:
        assert {x.code for x in u.reasons} <= {
            "no_family_on_dates",
            "pet",
            "smoking",
            "diet",
            "allergen",
            "gender",
            "travel",
            "forbidden",
            "combination",
            "full",
            "taken",
        }


@pytest.mark.parametrize("families_per_student", [0.55, 0.3])
def test_generated_round_matches_or_tools_min_cost_flow(families_per_student: float) -> None:
    """With seats for all and with too few seats (every seat taken: solved seat by seat)."""
    mcf = pytest.importorskip("ortools.graph.python.min_cost_flow")
    from matching.solver import tables
    from matching.solver.encode import encode
    from matching.solver.graph import build_graph, pair_slots

    p = make_problem(400, seed=5, families_per_student=families_per_student)
    r = solve(p)
    enc = encode(p)
    weights = resolve_weights({})
    q = choose_quantum(enc.n, weights)
    g = build_graph(tables.build_tables(enc, weights, q), 0)
    pi, j = pair_slots(g, enc.s_dates, g.rows(), g.host.astype("int64"))
    s = g.row_of(pi)
    w = g.w[pi].astype("int64")
    big_m = int(w.max()) * enc.n + 1
    f = mcf.SimpleMinCostFlow()
    n, n_slots = enc.n, g.n_slots
    src, sink = n + n_slots, n + n_slots + 1
    for a in range(n):
        f.add_arc_with_capacity_and_unit_cost(src, a, 1, 0)
        f.add_arc_with_capacity_and_unit_cost(a, sink, 1, 0)
    for b in range(n_slots):
        f.add_arc_with_capacity_and_unit_cost(n + b, sink, int(g.slot_cap[b]), 0)
    for a, b, c in zip(s.tolist(), j.tolist(), w.tolist(), strict=True):
        f.add_arc_with_capacity_and_unit_cost(a, n + b, 1, -(big_m + c))
    f.set_node_supply(src, n)
    f.set_node_supply(sink, -n)
    assert f.solve() == f.OPTIMAL
    flows = f.flows(list(range(f.num_arcs())))
    placed = sum(int(x) for x in flows[2 * n + n_slots :])
    total = -f.optimal_cost() - placed * big_m
    assert _value(p, r) == (placed, total)


def test_pins_are_kept_and_priced_into_the_optimum() -> None:
    p = make_problem(60, seed=11)
    free = solve(p)
    a = free.assignments[0]
    # pin the first student to a family it can visit but did not get
    other = next(
        b for b in free.assignments if b.host_key != a.host_key and b.date_index == a.date_index
    )
    pinned = dataclasses.replace(p, pins=((a.student_key, a.host_key),))
    r = solve(pinned)
    assert any(x.student_key == a.student_key and x.host_key == a.host_key for x in r.assignments)
    assert hard_rule_violations(pinned, r) == 0
    assert other is not None


@SETTINGS
@given(problems(max_students=5, max_hosts=3))
def test_a_feasible_pin_is_kept_and_the_rest_is_optimal(p: Problem) -> None:
    r0 = solve(p)
    if not r0.assignments:
        return
    a = r0.assignments[-1]
    pinned = dataclasses.replace(p, pins=((a.student_key, a.host_key),))
    r = solve(pinned)
    assert any((x.student_key, x.host_key) == (a.student_key, a.host_key) for x in r.assignments)
    assert hard_rule_violations(pinned, r) == 0
    assert _value(pinned, r) == brute_force(pinned)


def test_same_input_same_output() -> None:
    p = make_problem(500, seed=2)
    r1, r2 = solve(p), solve(p)
    assert r1.assignments == r2.assignments
    assert r1.unplaced_students == r2.unplaced_students
    assert r1.unplaced_hosts == r2.unplaced_hosts


def test_every_placed_score_is_the_sum_of_its_non_negative_breakdown() -> None:
    r = solve(make_problem(200, seed=4))
    for a in r.assignments:
        assert all(v >= 0 for v in a.breakdown.values())
        assert a.score == pytest.approx(sum(a.breakdown.values()), abs=1e-6)
    assert r.stats["matched"] + r.stats["unmatched"] == r.stats["students"]


def _exact_over_several_rounds(p: Problem) -> Result:
    """Solve ``p``, which takes more than one pricing round, and check the answer breaks no
    rule and equals the dense assignment's optimum."""
    r = solve(p)
    assert r.stats["assign_info"]["iterations"] > 1
    assert hard_rule_violations(p, r) == 0
    assert _value(p, r) == dense_lsa(p)
    return r


@pytest.mark.parametrize("near", [0, 2000, 50_000])
@pytest.mark.parametrize("k_best", [1, 3])
def test_pricing_rounds_and_local_repairs_reach_the_exact_optimum(
    monkeypatch: pytest.MonkeyPatch, k_best: int, near: int
) -> None:
    from matching.solver import assign, pricing
    from matching.solver import pipeline as solve_module

    # a tiny first restricted problem forces several pricing rounds; allow local repairs always
    monkeypatch.setattr(solve_module, "K_BEST", k_best)
    monkeypatch.setattr(solve_module, "L_BEST", 0)
    monkeypatch.setattr(assign, "LOCAL_MAX_SHARE", 1.0)
    monkeypatch.setattr(assign, "LOCAL_MAX_NEW", 10**9)
    monkeypatch.setattr(pricing, "K_ADD", 1)
    # nearly violated pairs join early (any margin keeps the optimum exact)
    monkeypatch.setattr(assign, "NEAR", near)
    _exact_over_several_rounds(make_problem(150, seed=21))


@pytest.mark.parametrize("run", [1, 37])
def test_the_pricing_read_in_short_runs_finds_the_same_optimum(
    monkeypatch: pytest.MonkeyPatch, run: int
) -> None:
    """The pricing reads the rows a run of students at a time; a run boundary anywhere (one
    pair a run, or 37 that cut rows in the middle) changes nothing in the optimum."""
    from matching.solver import pipeline as solve_module
    from matching.solver import pricing

    monkeypatch.setattr(solve_module, "K_BEST", 2)  # several pricing rounds
    monkeypatch.setattr(solve_module, "L_BEST", 0)
    monkeypatch.setattr(pricing, "SCAN_RUN", run)
    _exact_over_several_rounds(make_problem(120, seed=5))


def test_ties_do_not_make_every_student_compete_for_the_same_families() -> None:
    """Issue 20, defect 2: with identical profiles every score ties, and every student's K best
    families used to be the lowest-numbered ones: one pricing round after another (42 at 2 000
    students).  The first restricted problem now spreads ties and is already optimal."""
    from bench.instances import make_identical

    p = make_identical(900, families_per_student=0.34)
    r = solve(p)
    info = r.stats["assign_info"]
    assert info["iterations"] == 1
    assert info["restricted_pairs"] < 0.1 * r.stats["feasible_pairs"]
    assert r.stats["matched"] == 900
    assert hard_rule_violations(p, r) == 0


def _spy_scan(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many pairs each pricing scan reads."""
    from matching.solver import pricing

    read: list[int] = []
    real = pricing.scan

    def scan(*args: object, **kwargs: object) -> object:
        read.append(int(args[6].sum()))  # type: ignore[attr-defined]  # the row lengths
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pricing, "scan", scan)
    return read


def test_ties_with_a_seat_for_all_read_only_the_sorted_heads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 20, speed with ties: when everybody is placed at a tie, no pair beyond a row's
    sorted head can break the certificate and no fair tie is needed, so the pricing reads
    no whole row (at 10 000 students it read and kept 33 million pairs, 2 GB)."""
    from bench.instances import make_identical
    from matching.solver.graph import TOP

    read = _spy_scan(monkeypatch)
    p = make_identical(900, families_per_student=0.34)
    r = solve(p)
    assert r.stats["matched"] == 900
    assert sum(read) <= 900 * TOP < r.stats["feasible_pairs"] // 4


def test_the_unplaced_have_their_whole_rows_priced_from_the_first_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Seats short: the unplaced have utility -M, so any pair of their rows may break the
    certificate.  Their rows are read in every round, not only once the heads are clean (that
    cost one more exact solve at 10 000 students), and the optimum stays exact."""
    read = _spy_scan(monkeypatch)
    r = _exact_over_several_rounds(make_problem(300, seed=8, families_per_student=0.3))
    assert len(r.unplaced_students) > 0
    # the first round's second scan is the rest of the rows whose heads all beat utility
    assert read[1] > 0
