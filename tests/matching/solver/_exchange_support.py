"""Shared by the language-exchange solver tests: applicants with sensible defaults, and random
general graphs with their optimum according to networkx (exact blossom)."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from matching.solver.exchange import ExchangeApplicant

STATIONS = [(35.70, 139.58), (35.69, 139.70), (35.60, 139.40), (35.90, 139.95)]
SLOTS = ("mon-eve", "sat-am", "sat-pm")


def person(key: int, **overrides: Any) -> ExchangeApplicant:
    base: dict[str, Any] = {
        "key": key,
        "teaches": {"ja": "native"},
        "learns": {"en": "beginner"},
        "format": "online",
        "lat": 35.70,
        "lon": 139.58,
        "max_travel_minutes": 60,
        "time_slots": ("mon-eve",),
        "gender": "female",
        "gender_preference": "any",
        "interests": ("music",),
        "times_unplaced": 0,
    }
    base.update(overrides)
    return ExchangeApplicant(**base)


def english(key: int, **overrides: Any) -> ExchangeApplicant:
    return person(key, teaches={"en": "native"}, learns={"ja": "beginner"}, **overrides)


def random_graph(seed: int, n: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, 1)
    feasible = upper | upper.T
    score = np.round(rng.random((n, n)) * 100, 2)
    score = np.triu(score, 1) + np.triu(score, 1).T
    return feasible, score


def networkx_optimum(feasible: np.ndarray, score: np.ndarray) -> tuple[int, float]:
    graph = nx.Graph()
    ei, ej = np.nonzero(np.triu(feasible, 1))
    graph.add_weighted_edges_from(
        zip(ei.tolist(), ej.tolist(), score[ei, ej].tolist(), strict=True)
    )
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return len(matching), float(sum(score[a, b] for a, b in matching))
