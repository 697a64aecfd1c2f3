"""The fair ties' assignment keeps, of students with the very same slots, only those an optimum
can place (``priority.best_of_equals``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.solver.assign import _solve_component
from matching.solver.priority import best_of_equals


def _best_total(s: np.ndarray, j: np.ndarray, w: np.ndarray, cap: np.ndarray) -> int:
    """The most weight an assignment of these pairs reaches (each student once, each slot at
    most its seats)."""
    if not s.size:
        return 0
    stay = np.zeros(int(s.max()) + 1, dtype=bool)
    rows, slot = _solve_component(np.unique(s), s, j, w, cap, stay, 0, int(w.max()) + 1)
    weight = {(int(a), int(b)): int(c) for a, b, c in zip(s, j, w, strict=True)}
    return sum(weight[(int(r), int(k))] for r, k in zip(rows, slot, strict=True) if k >= 0)


@st.composite
def tie_graphs(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n_slots = draw(st.integers(1, 4))
    cap = np.array(draw(st.lists(st.integers(1, 2), min_size=n_slots, max_size=n_slots)))
    # a few slot sets shared by many students, so that equals are common
    shapes = draw(
        st.lists(st.sets(st.integers(0, n_slots - 1), min_size=1), min_size=1, max_size=3)
    )
    n = draw(st.integers(1, 12))
    shape_of = draw(st.lists(st.integers(0, len(shapes) - 1), min_size=n, max_size=n))
    fixed = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    rank = np.array(draw(st.permutations(range(n))))
    slot_bonus = np.array(draw(st.lists(st.booleans(), min_size=n_slots, max_size=n_slots)))
    s = np.array([i for i in range(n) for _ in sorted(shapes[shape_of[i]])], dtype=np.int64)
    j = np.array([k for i in range(n) for k in sorted(shapes[shape_of[i]])], dtype=np.int64)
    # break_ties' weights: being fixed or filling a priced slot beats any order
    a = n * (n + 1) + 1
    w = a * (fixed[s].astype(np.int64) + slot_bonus[j]) + (n - rank[s])
    return s, j, w, fixed, rank, cap


@settings(max_examples=200, deadline=None)
@given(tie_graphs())
def test_leaving_out_the_surplus_equals_keeps_the_optimum(graph: tuple[np.ndarray, ...]) -> None:
    s, j, w, fixed, rank, cap = graph
    kept = best_of_equals(s, j, fixed, rank, cap)
    assert kept[fixed[s]].all()
    assert _best_total(s[kept], j[kept], w[kept], cap) == _best_total(s, j, w, cap)


def test_of_equals_only_as_many_as_their_slots_seat_are_kept() -> None:
    # 10 students with the same two slots of 2 seats each, one of them fixed (must be placed)
    s = np.repeat(np.arange(10), 2)
    j = np.tile([3, 5], 10)
    fixed = np.zeros(10, dtype=bool)
    fixed[9] = True
    rank = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    cap = np.array([0, 0, 0, 2, 0, 2])
    kept = best_of_equals(s, j, fixed, rank, cap)
    assert sorted(set(s[kept].tolist())) == [5, 6, 7, 8, 9]  # the four best, and the fixed one


def test_students_with_different_slots_are_not_equals() -> None:
    # the same number of slots, the same hashes' inputs in another order: not one class
    s = np.array([0, 0, 1, 1, 2, 2])
    j = np.array([0, 1, 0, 2, 1, 2])
    cap = np.ones(3, dtype=np.int64)
    kept = best_of_equals(s, j, np.zeros(3, dtype=bool), np.arange(3), cap)
    assert kept.all()
