"""Inputs, weights, the travel estimate, scores, and the no-Django boundary."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.instances import make_problem
from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    HostIn,
    PinError,
    Problem,
    SolverInputError,
    StudentIn,
    solve,
    tables,
)
from matching.solver.encode import encode, travel_minutes
from matching.solver.graph import build_graph
from matching.solver.rules import pair_rules
from matching.solver.score import quantised_points, resolve_weights

from ._support import pair_ok

SOLVER = Path(__file__).resolve().parents[3] / "matching" / "solver"
KICHIJOJI = (35.7030, 139.5795)
SHINJUKU = (35.6896, 139.7006)
DATES = ("2027-01-17", "2027-01-24")


def _problem(students: list[StudentIn], hosts: list[HostIn], **kw: object) -> Problem:
    kw.setdefault("vocabulary", REFERENCE_VOCABULARY)
    return Problem(students=tuple(students), hosts=tuple(hosts), date_labels=DATES, **kw)


def test_solver_package_imports_no_django_in_a_fresh_interpreter() -> None:
    code = (
        "import sys, matching.solver, matching.solver.pipeline, matching.solver.metrics;"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'));"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=SOLVER.parents[1],
    )
    assert out.stdout.strip() == ""


def test_no_solver_file_mentions_django_in_an_import() -> None:
    for path in SOLVER.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "django" or n.startswith("django.") for n in names), path


def test_unknown_criterion_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'distance'"):
        resolve_weights({"distance": 3.0})


def test_negative_weight_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'travel'"):
        resolve_weights({"travel": -1.0})


def test_weights_override_defaults_and_expose_every_criterion() -> None:
    w = resolve_weights({"travel": 0})
    assert set(w) == set(CRITERIA) == set(DEFAULT_WEIGHTS)
    assert w["travel"] == 0 and w["language"] == DEFAULT_WEIGHTS["language"]
    p = make_problem(40, seed=1)
    r = solve(dataclasses.replace(p, weights={"travel": 0}))
    assert all(a.breakdown["travel"] == 0 for a in r.assignments)


@pytest.mark.parametrize(
    ("student", "field"),
    [
        (StudentIn(key=1, dates=(5,)), "students[1].dates"),
        (StudentIn(key=1, dates=(0,), gender="x"), "students[1].gender"),
        (StudentIn(key=1, dates=(0,), diet=("paleo",)), "students[1].diet"),
        (StudentIn(key=1, dates=(0,), allergies=("pollen",)), "students[1].allergies"),
        (StudentIn(key=1, dates=(0,), languages={"en": "fluent"}), "students.languages"),
    ],
)
def test_bad_student_field_is_named(student: StudentIn, field: str) -> None:
    with pytest.raises(SolverInputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        solve(_problem([student], [HostIn(key=9, seats={0: 1})]))


def test_the_codes_of_diets_allergens_and_pets_are_the_callers() -> None:
    """The solver holds no list of them: a code the vocabulary adds works like the others (a
    ferret allergy keeps a student from a family with a ferret), and one it lacks is refused."""
    vocabulary = dataclasses.replace(
        REFERENCE_VOCABULARY,
        pet_allergens=(*REFERENCE_VOCABULARY.pet_allergens, "ferret"),
        pets=(*REFERENCE_VOCABULARY.pets, "ferret"),
    )
    student = StudentIn(key=1, dates=(0,), allergies=("ferret",))
    ferret, none = HostIn(key=9, seats={0: 1}, pets=("ferret",)), HostIn(key=8, seats={0: 1})
    result = solve(_problem([student], [ferret], vocabulary=vocabulary))
    assert not result.assignments
    assert [r.code for r in result.unplaced_students[0].reasons] == ["pet"]
    assert result.unplaced_students[0].reasons[0].params["pets"] == ["ferret"]
    placed = solve(_problem([student], [ferret, none], vocabulary=vocabulary)).assignments
    assert [(a.student_key, a.host_key) for a in placed] == [(1, 8)]
    with pytest.raises(SolverInputError, match=r"hosts\[9\]\.pets"):
        solve(_problem([], [ferret]))
    with pytest.raises(SolverInputError, match="pet_allergens"):
        solve(_problem([], [], vocabulary=dataclasses.replace(vocabulary, pets=("cat", "dog"))))


def test_bad_host_seats_and_duplicate_keys_are_named() -> None:
    with pytest.raises(SolverInputError, match="seats"):
        solve(_problem([], [HostIn(key=9, seats={0: 4})]))
    with pytest.raises(SolverInputError, match="duplicate key 1"):
        solve(_problem([StudentIn(key=1, dates=(0,))] * 2, []))
    with pytest.raises(SolverInputError, match="unknown reason"):
        solve(
            _problem(
                [StudentIn(key=1, dates=(0,))],
                [HostIn(key=9, seats={0: 1})],
                forbidden={(1, 9): "dislike"},
            )
        )


def test_infeasible_pin_names_the_pair_and_the_rule() -> None:
    s = StudentIn(key=1, dates=(0,), allergies=("cat",))
    h = HostIn(key=9, seats={0: 1}, pets=("cat",))
    with pytest.raises(PinError, match=r"\(1, 9\).*pet"):
        solve(_problem([s], [h], pins=((1, 9),)))
    h2 = HostIn(key=9, seats={1: 1})
    with pytest.raises(PinError, match=r"\(1, 9\).*date"):
        solve(_problem([StudentIn(key=1, dates=(0,))], [h2], pins=((1, 9),)))
    with pytest.raises(PinError, match="forbidden"):
        solve(
            _problem(
                [StudentIn(key=1, dates=(0,))],
                [HostIn(key=9, seats={0: 1})],
                pins=((1, 9),),
                forbidden={(1, 9): "coordinator"},
            )
        )


@pytest.mark.parametrize("mode", ["optimal", "stable"])
def test_two_pins_on_one_seat_are_refused_naming_an_applicant(mode: str) -> None:
    """The error names a pin by its application keys (never a row number), in both modes."""
    ss = [StudentIn(key=71, dates=(0,)), StudentIn(key=72, dates=(0,))]
    hosts = [HostIn(key=5, seats={0: 1}), HostIn(key=9, seats={0: 1})]
    with pytest.raises(PinError, match=r"pin \(7[12], 9\).*capacity") as exc:
        solve(_problem(ss, hosts, pins=((71, 9), (72, 9)), mode=mode))
    assert exc.value.host_key == 9 and exc.value.student_key in (71, 72)
    assert "row" not in str(exc.value)


@pytest.mark.parametrize("where", ["students", "hosts"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_coordinate_that_is_not_a_number_is_the_solvers_input_error(
    where: str, value: float
) -> None:
    """Issue 20, item 5: a NaN coordinate crashed the explanation with a bare ValueError."""
    s, h = StudentIn(key=1, dates=(0,)), HostIn(key=9, seats={0: 1})
    if where == "students":
        s = dataclasses.replace(s, lat=value)
    else:
        h = dataclasses.replace(h, lon=value)
    with pytest.raises(SolverInputError, match=rf"{where}\[(1|9)\]\.(lat|lon)"):
        solve(_problem([s], [h]))


def test_travel_estimate_is_calibrated_on_the_chuo_line() -> None:
    rad = np.pi / 180
    same = travel_minutes(
        KICHIJOJI[0] * rad, KICHIJOJI[1] * rad, KICHIJOJI[0] * rad, KICHIJOJI[1] * rad
    )
    to_shinjuku = travel_minutes(
        KICHIJOJI[0] * rad, KICHIJOJI[1] * rad, SHINJUKU[0] * rad, SHINJUKU[1] * rad
    )
    assert same == pytest.approx(10, abs=0.5)
    assert to_shinjuku == pytest.approx(25, abs=2)


def test_vectorised_mask_and_scores_equal_a_python_double_loop() -> None:
    p = make_problem(120, seed=7)
    p = dataclasses.replace(p, forbidden={(p.students[0].key, p.hosts[0].key): "declined"})
    enc = encode(p)
    weights = resolve_weights({})
    tab = tables.build_tables(enc, weights, 1e-3)
    ok = tables.feasible(tab, np.arange(enc.n)[:, None], np.arange(enc.m)[None, :])
    w = tables.total(tab, np.arange(enc.n)[:, None], np.arange(enc.m)[None, :])
    for si, s in enumerate(p.students):
        for hi, h in enumerate(p.hosts):
            assert bool(ok[si, hi]) == pair_ok(p, s, h)
            q = quantised_points(enc, weights, np.array([si]), np.array([hi]), 1e-3)
            assert int(w[si, hi]) == sum(int(v[0]) for v in q.values())
    # the reference rules agree with the table lookups too
    rules = pair_rules(enc, np.arange(enc.n)[:, None], np.arange(enc.m)[None, :])
    assert (np.logical_and.reduce(list(rules.values())) == ok).all()


def test_graph_keeps_exactly_the_pairs_with_a_workable_day() -> None:
    p = make_problem(80, seed=8)
    enc = encode(p)
    g = build_graph(tables.build_tables(enc, resolve_weights({}), 1e-3), 4)
    expect = 0
    for s in p.students:
        for h in p.hosts:
            if pair_ok(p, s, h) and any(h.seats.get(d, 0) > 0 for d in s.dates):
                expect += 1
    assert g.host.size == expect
