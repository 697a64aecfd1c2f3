"""The language-exchange matching engine on general graphs, against networkx (exact blossom):
the component solver, the augmenting step and the maximum-cardinality step.  Pure: no Django."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.solver.exchange import engine, solve_component
from tests.matching.solver._exchange_support import networkx_optimum, random_graph


@pytest.mark.parametrize("exact_limit", [40_000, -1])
@pytest.mark.parametrize(
    ("seed", "n", "p"),
    [(1, 40, 0.08), (2, 61, 0.05), (3, 90, 0.1), (4, 120, 0.03), (5, 151, 0.2), (6, 75, 0.04)],
)
def test_component_engine_equals_networkx(
    seed: int, n: int, p: float, exact_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "EXACT_EDGE_LIMIT", exact_limit)
    feasible, score = random_graph(seed, n, p)
    pairs_nx, total_nx = networkx_optimum(feasible, score)
    # Components are the caller's job; the engine must still be right on a disconnected graph.
    result = solve_component(feasible, score)
    used = [v for pair in result.pairs for v in pair]
    assert len(used) == len(set(used))
    assert all(feasible[a, b] for a, b in result.pairs)
    assert len(result.pairs) == pairs_nx
    total = float(sum(score[a, b] for a, b in result.pairs))
    if exact_limit > 0:
        assert total == pytest.approx(total_nx, abs=1e-6)
    else:
        assert total >= total_nx * 0.97
    assert result.score_bound >= total_nx - 1e-6
    assert result.pairs_bound >= pairs_nx


def test_odd_cycle_needs_blossom_reasoning() -> None:
    # Two triangles joined by one edge: the cover takes both triangles (fractional 3 pairs);
    # the optimum has 3 pairs only by using the bridge.
    n = 6
    feasible = np.zeros((n, n), dtype=bool)
    for a, b in [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)]:
        feasible[a, b] = feasible[b, a] = True
    score = np.where(feasible, 10.0, 0.0)
    score[2, 3] = score[3, 2] = 1.0
    result = solve_component(feasible, score)
    assert result.method == "milp"
    assert len(result.pairs) == 3
    assert (2, 3) in result.pairs or (3, 2) in result.pairs
    assert result.score_bound == pytest.approx(21.0)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 30), st.floats(0.05, 0.5))
def test_augment_keeps_a_matching_and_never_loses_pairs(seed: int, n: int, p: float) -> None:
    feasible, score = random_graph(seed, n, p)
    rng = np.random.default_rng(seed)
    start: list[tuple[int, int]] = []
    used: set[int] = set()
    for a, b in zip(*np.nonzero(np.triu(feasible, 1)), strict=True):
        if a not in used and b not in used and rng.random() < 0.5:
            start.append((int(a), int(b)))
            used |= {int(a), int(b)}
    pairs = engine._augment(start, feasible, score)
    vertices = [v for pair in pairs for v in pair]
    assert len(vertices) == len(set(vertices))
    assert all(feasible[a, b] for a, b in pairs)
    assert len(pairs) >= len(start)


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 100_000), st.integers(2, 60), st.floats(0.02, 0.3))
def test_edmonds_reaches_the_maximum_cardinality(seed: int, n: int, p: float) -> None:
    feasible, _ = random_graph(seed, n, p)
    rng = np.random.default_rng(seed)
    start: list[tuple[int, int]] = []
    used: set[int] = set()
    for a, b in zip(*np.nonzero(np.triu(feasible, 1)), strict=True):
        if a not in used and b not in used and rng.random() < 0.3:
            start.append((int(a), int(b)))
            used |= {int(a), int(b)}
    pairs = engine._maximum_cardinality(start, feasible)
    vertices = [v for pair in pairs for v in pair]
    assert len(vertices) == len(set(vertices))
    assert all(feasible[a, b] for a, b in pairs)
    graph = nx.Graph()
    graph.add_edges_from(zip(*(x.tolist() for x in np.nonzero(np.triu(feasible, 1))), strict=True))
    assert len(pairs) == len(nx.max_weight_matching(graph, maxcardinality=True))
