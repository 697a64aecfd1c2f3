"""The whole solve: arrays, components, pins, then the answer with its explanations and stats."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from matching.solver.exchange.arrays import Arrays, Encoded, build_arrays
from matching.solver.exchange.engine import solve_component
from matching.solver.exchange.model import (
    EXCHANGE_CRITERIA,
    REASON_TEXT,
    RULE_ORDER,
    ExchangePair,
    ExchangePinError,
    ExchangeProblem,
    ExchangeResult,
    Reason,
)


def _reasons(arrays: Arrays, index: int, problem: ExchangeProblem) -> list[dict[str, Any]]:
    counts = [int(stage[index].sum()) for stage in arrays.stages]
    for code, count in zip(RULE_ORDER, counts, strict=True):
        if count == 0:
            params: dict[str, Any] = {}
            if code != "no_language_match":
                params["language_partners"] = counts[0]
            if code == "forbidden":
                key = int(arrays.enc.keys[index])
                why = sorted({v for (a, b), v in problem.forbidden.items() if key in (a, b)})
                params["why"] = why
            return [{"code": code, "params": params, "text": REASON_TEXT[code]}]
    return [
        {
            "code": "partners_taken",
            "params": {"candidates": counts[-1]},
            "text": REASON_TEXT["partners_taken"],
        }
    ]


def _directions(enc: Encoded, i: int, j: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for teacher, learner in ((i, j), (j, i)):
        t, learner_levels = enc.teach[teacher], enc.learn[learner]
        ok = (t >= 0) & (learner_levels >= 0) & (t > learner_levels)
        out.extend(
            (int(enc.keys[teacher]), int(enc.keys[learner]), enc.languages[col])
            for col in np.flatnonzero(ok)
        )
    return out


def _pinned(arrays: Arrays, pins: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    index = {int(k): i for i, k in enumerate(arrays.enc.keys)}
    seen: set[int] = set()
    out: list[tuple[int, int]] = []
    for a_key, b_key in pins:
        for key in (a_key, b_key):
            if key not in index:
                raise ExchangePinError(f"pin ({a_key}, {b_key}): {key} is not an applicant")
            if key in seen:
                raise ExchangePinError(f"pin ({a_key}, {b_key}): {key} is pinned twice")
            seen.add(key)
        a, b = index[a_key], index[b_key]
        for rule, stage in zip(RULE_ORDER, arrays.stages, strict=True):
            if not stage[a, b]:
                raise ExchangePinError(f"pin ({a_key}, {b_key}) is infeasible: {rule}")
        out.append((a, b))
    return out


def solve_exchange(
    problem: ExchangeProblem, *, clock: Callable[[], float] = time.perf_counter
) -> ExchangeResult:
    """Pair the applicants: most pairs, then the highest total score; see the module docstring."""
    started = clock()
    arrays = build_arrays(problem)
    enc, feasible, score = arrays.enc, arrays.feasible, arrays.score
    n = len(enc.keys)
    matched = _pinned(arrays, problem.pins)
    pinned_score = float(sum(score[a, b] for a, b in matched))
    if matched:
        # Pinned applicants leave the graph; the others are solved around them.
        feasible = feasible.copy()
        gone = np.array([v for pair in matched for v in pair])
        feasible[gone, :] = False
        feasible[:, gone] = False
    n_comp, labels = connected_components(sparse.csr_array(feasible), directed=False)
    order = np.argsort(labels, kind="stable")
    bounds_sum, pairs_bound = pinned_score, len(matched)
    methods: dict[str, int] = {}
    split = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, split) if n else []:
        if len(members) < 2:
            continue
        sub = np.ix_(members, members)
        result = solve_component(feasible[sub], score[sub])
        matched.extend((int(members[a]), int(members[b])) for a, b in result.pairs)
        bounds_sum += result.score_bound
        pairs_bound += result.pairs_bound
        methods[result.method] = methods.get(result.method, 0) + 1

    pairs: list[ExchangePair] = []
    meetings: dict[tuple[int, int], str] = {}
    paired = np.zeros(n, dtype=bool)
    for i, j in sorted(matched, key=lambda p: min(enc.keys[p[0]], enc.keys[p[1]])):
        a, b = (i, j) if enc.keys[i] < enc.keys[j] else (j, i)
        paired[[a, b]] = True
        breakdown = {
            name: arrays.weights[name] * float(arrays.values[name][a, b])
            for name in EXCHANGE_CRITERIA
        }
        ka, kb = int(enc.keys[a]), int(enc.keys[b])
        pairs.append(ExchangePair(ka, kb, float(score[a, b]), breakdown, _directions(enc, a, b)))
        meetings[(ka, kb)] = "in_person" if arrays.in_person[a, b] else "online"
    unplaced = [
        Reason(int(enc.keys[i]), _reasons(arrays, int(i), problem)) for i in np.flatnonzero(~paired)
    ]
    total = float(sum(p.score for p in pairs))
    upper = max(bounds_sum, total)
    scores = [p.score for p in pairs]
    stats: dict[str, Any] = {
        "applicants": n,
        "paired": 2 * len(pairs),
        "unpaired": n - 2 * len(pairs),
        "pairs": len(pairs),
        "pairs_upper_bound": max(pairs_bound, len(pairs)),
        "total_score": round(total, 6),
        "mean_score": round(total / len(pairs), 6) if pairs else 0.0,
        "min_score": round(min(scores), 6) if scores else 0.0,
        "upper_bound": round(upper, 6),
        "gap": (upper - total) / upper if upper > 0 else 0.0,
        "pinned": len(problem.pins),
        "components": int(n_comp),
        "methods": methods,
        "solve_ms": round((clock() - started) * 1000.0, 1),
    }
    return ExchangeResult(pairs=pairs, unplaced=unplaced, stats=stats, meetings=meetings)
