"""The entry point: encode -> mask and score -> assign -> explain -> measure."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from . import tables
from .assign import assign_optimal
from .encode import Encoded, encode
from .explain import explain_hosts, explain_students
from .explain_tiers import explain_rules
from .graph import Graph, build_graph
from .groups import assign_with_groups, group_graph
from .metrics import blocking_pairs, histogram
from .pins import seat_pins
from .priority import break_ties, hard_tier, lottery, priority_rank, seat_hard_tier
from .rules import check_pins
from .score import CRITERIA, STUDENT_VIEW, resolve_weights
from .stable import assign_stable
from .types import Assignment, Problem, Result, Unplaced

IntA = npt.NDArray[Any]

K_BEST = 24  # best families per student in the first restricted problem
L_BEST = 16  # ... and best students per family
BASE_QUANTUM = 1e-3  # points: scores are optimised as integers of this resolution
FLOAT_EXACT = 2**52


def choose_quantum(n: int, weights: dict[str, float]) -> float:
    """The finest resolution (1e-3 points or coarser) at which the big-M costs stay exact.

    The largest number the solver adds up is about (n + 2) * (M + w_max) with
    M <= 1 + n * w_max and w_max = sum(weights) / quantum; it must stay below 2**52.
    """
    quantum = BASE_QUANTUM
    total = sum(weights.values())
    while (n + 2) ** 2 * (total / quantum + 2) * 2 >= FLOAT_EXACT:
        quantum *= 10
    return quantum


def _big_m(g: Graph) -> int:
    """1 + the sum of every student's best score: more than any total score can differ."""
    nz = np.diff(g.indptr) > 0
    if not nz.any():
        return 1
    best = np.maximum.reduceat(g.w.astype(np.int64), g.indptr[:-1][nz])
    return int(best.sum()) + 1


def _stable(
    tab: tables.Tables,
    g: Graph,
    enc: Encoded,
    pin_slot: IntA,
    must: npt.NDArray[np.bool_],
    must_slot: IntA,
    rank: IntA,
    grouped: bool,
    pin_host: IntA,
) -> IntA:
    """Deferred acceptance (ties: the fair-tie order); the hard tier sits first like pins.
    Groups and "not alone" students do not propose (deferred acceptance has no room for a
    pair that must sit together): they get the seats left, by the exact optimum for their
    own view (``groups``)."""
    fixed_s = np.concatenate((enc.pin_s, np.nonzero(must)[0]))
    fixed_slot = np.concatenate((pin_slot, must_slot[must]))
    apart = np.zeros(enc.n, dtype=bool)
    if grouped:
        apart[enc.group_a] = apart[enc.group_b] = True
        apart |= enc.s_not_alone
        apart[fixed_s] = False
    dates = np.where(apart[:, None], False, enc.s_dates)
    assigned = assign_stable(tab, g, dates, fixed_s, fixed_slot, rank)
    if not apart.any():
        return assigned
    left = g.slot_cap - np.bincount(assigned[assigned >= 0], minlength=g.n_slots)
    rest = np.where(apart[:, None], enc.s_dates, False)
    big_m = _big_m(g)
    g_left, rest = group_graph(replace(g, slot_cap=left), rest, enc.group_a, enc.group_b, big_m)
    rows = np.nonzero(apart)[0]
    own = np.concatenate([np.arange(g_left.indptr[r], g_left.indptr[r + 1]) for r in rows])
    none = np.zeros(0, dtype=np.int64)
    sub, info = assign_optimal(g_left, rest, none, none, big_m, None, own)
    sub, _ = assign_with_groups(
        g_left,
        rest,
        sub,
        info.util,
        info.price,
        big_m,
        enc.group_a,
        enc.group_b,
        enc.s_not_alone & apart,
        np.zeros(enc.n, dtype=bool),
        pin_host,
    )
    assigned[apart] = sub[apart]
    return assigned


def solve(problem: Problem) -> Result:
    """Propose visits for one round.  Raises SolverInputError / PinError on bad input."""
    t0 = time.perf_counter()
    c0 = time.process_time()
    weights = resolve_weights(problem.weights)
    enc = encode(problem)
    check_pins(enc)
    quantum = choose_quantum(enc.n, weights)
    tab = tables.build_tables(enc, weights, quantum)
    stable = problem.mode == "stable"
    # stable mode: rows start with each student's best families by its own view
    g = build_graph(tab, 0, 0, STUDENT_VIEW) if stable else build_graph(tab, K_BEST, L_BEST)
    t1 = time.perf_counter()
    c1 = time.process_time()

    # Pins first: refused (naming the applicant and the family) only if they cannot all sit.
    pin_slot = seat_pins(enc, g.slot_of, g.slot_cap)
    info: dict[str, Any] = {}
    rank = priority_rank(enc, problem.lottery_seed)
    grouped = enc.group_a.size > 0 or bool(enc.s_not_alone.any())
    hard = hard_tier(enc, problem.unplaced_twice_first)
    if grouped:  # a group member or "not alone" student is placed only with others
        hard[enc.group_a] = hard[enc.group_b] = False
        hard &= ~enc.s_not_alone
    must, extra, must_slot = seat_hard_tier(g, enc.s_dates, hard, rank, enc.pin_s, enc.pin_h)
    pin_host = np.full(enc.n, -1, dtype=np.int64)
    pin_host[enc.pin_s] = enc.pin_h
    lost_tie = np.zeros(enc.n, dtype=bool)
    if stable:
        assigned = _stable(tab, g, enc, pin_slot, must, must_slot, rank, grouped, pin_host)
    else:
        g2, dates2 = g, enc.s_dates
        big_m = _big_m(g)
        pin_s, pin_h = enc.pin_s, enc.pin_h
        stay = must.copy()
        stay[enc.pin_s] = True
        if grouped:  # the relaxation: a group is one row (``groups``), pinned if one is
            g2, dates2 = group_graph(g, enc.s_dates, enc.group_a, enc.group_b, big_m)
            pin_host[enc.group_a] = np.maximum(pin_host[enc.group_a], pin_host[enc.group_b])
            pin_host[enc.group_b] = -1
            pin_s = np.nonzero(pin_host >= 0)[0]
            pin_h = pin_host[pin_s]
            stay[enc.group_a] |= stay[enc.group_b]
            stay[enc.group_b] = False
        assigned, ainfo = assign_optimal(g2, dates2, pin_s, pin_h, big_m, must, extra)
        if grouped:
            assigned, ginfo = assign_with_groups(
                g2,
                dates2,
                assigned,
                ainfo.util,
                ainfo.price,
                big_m,
                enc.group_a,
                enc.group_b,
                enc.s_not_alone,
                stay,
                pin_host,
            )
            info.update(ginfo)
        else:
            assigned, lost_tie = break_ties(
                g,
                enc.s_dates,
                assigned,
                ainfo.util,
                ainfo.price,
                ainfo.tight,
                big_m,
                rank,
                stay,
                pin_host,
            )
        info.update(
            {
                "iterations": ainfo.iterations,
                "restricted_pairs": ainfo.restricted_pairs,
                "restricted_edges": ainfo.restricted_edges,
                "components": ainfo.components,
                "price_sweeps": ainfo.bf_passes,
                "local_repairs": ainfo.local_repairs,
                "fallbacks": ainfo.fallbacks,
                "phase_ms": {k: round(v, 1) for k, v in ainfo.phase_ms.items()},
            }
        )
    t2 = time.perf_counter()
    c2 = time.process_time()

    assignments = _assignments(tab, g, enc, assigned, quantum)
    load = np.bincount(assigned[assigned >= 0], minlength=g.n_slots)
    cap_left = np.zeros_like(enc.h_seats)
    cap_left[g.slot_host, g.slot_date] = g.slot_cap - load
    un_s = np.nonzero(assigned < 0)[0]
    hosted = np.zeros(enc.m, dtype=bool)
    hosted[g.slot_host[assigned[assigned >= 0]]] = True
    un_h = np.nonzero(~hosted)[0]
    s_reasons = explain_students(tab, un_s, cap_left)
    h_reasons = explain_hosts(tab, un_h)
    head, tail = explain_rules(
        enc, un_s, lost_tie, rank, lottery(enc.s_key, problem.lottery_seed), problem.lottery_seed
    )
    unplaced_students = [
        Unplaced(int(enc.s_key[s]), [*h, *r, *t])
        for s, h, r, t in zip(un_s.tolist(), head, s_reasons, tail, strict=True)
    ]
    unplaced_hosts = [
        Unplaced(int(enc.h_key[h]), r) for h, r in zip(un_h.tolist(), h_reasons, strict=True)
    ]
    t3 = time.perf_counter()
    c3 = time.process_time()

    blocking = blocking_pairs(tab, g, assigned)
    t4 = time.perf_counter()
    c4 = time.process_time()
    scores = [a.score for a in assignments]
    stats: dict[str, Any] = {
        "mode": problem.mode,
        "students": enc.n,
        "hosts": enc.m,
        "slots": int(g.slot_cap.sum()),
        "matched": len(assignments),
        "unmatched": enc.n - len(assignments),
        "hosts_without_guest": int(un_h.size),
        "total_score": round(float(sum(scores)), 3),
        "mean_score": round(float(np.mean(scores)), 3) if scores else 0.0,
        "min_score": round(float(min(scores)), 3) if scores else 0.0,
        "score_histogram": histogram(scores),
        "blocking_pairs": blocking,
        "feasible_pairs": int(g.host.size),
        "quantum": quantum,
        "lottery_seed": problem.lottery_seed,
        "hard_tier": int(must.sum()),
        "groups": int(enc.group_a.size),
        "lost_ties": int(lost_tie.sum()),
        "weights": weights,
        "encode_ms": round((t1 - t0) * 1e3, 1),
        "assign_ms": round((t2 - t1) * 1e3, 1),
        "explain_ms": round((t3 - t2) * 1e3, 1),
        "metrics_ms": round((t4 - t3) * 1e3, 1),
        "solve_ms": round((t3 - t0) * 1e3, 1),
        # CPU time of this process (all threads): the fair measure on a shared machine
        "encode_cpu_ms": round((c1 - c0) * 1e3, 1),
        "assign_cpu_ms": round((c2 - c1) * 1e3, 1),
        "explain_cpu_ms": round((c3 - c2) * 1e3, 1),
        "metrics_cpu_ms": round((c4 - c3) * 1e3, 1),
        "solve_cpu_ms": round((c3 - c0) * 1e3, 1),
        "assign_info": info,
    }
    return Result(assignments, unplaced_students, unplaced_hosts, stats)


def _assignments(
    tab: tables.Tables, g: Graph, enc: Encoded, assigned: IntA, quantum: float
) -> list[Assignment]:
    placed = np.nonzero(assigned >= 0)[0]
    h = g.slot_host[assigned[placed]]
    d = g.slot_date[assigned[placed]]
    pts = tables.points(tab, placed, h, d)
    cols = {c: (pts[c].astype(np.int64) * quantum).round(6).tolist() for c in CRITERIA}
    tot = sum(pts[c].astype(np.int64) for c in CRITERIA) if placed.size else np.zeros(0)
    scores = (np.asarray(tot, dtype=np.int64) * quantum).round(6).tolist()
    return [
        Assignment(
            student_key=int(enc.s_key[s]),
            host_key=int(enc.h_key[hh]),
            date_index=int(dd),
            score=float(scores[i]),
            breakdown={c: float(cols[c][i]) for c in CRITERIA},
        )
        for i, (s, hh, dd) in enumerate(zip(placed.tolist(), h.tolist(), d.tolist(), strict=True))
    ]
