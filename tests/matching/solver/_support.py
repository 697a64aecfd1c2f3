"""Independent reference implementations for the solver tests (plain Python, pair by pair)."""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from matching.solver.encode import encode
from matching.solver.metrics import rule_breaks
from matching.solver.pipeline import choose_quantum
from matching.solver.score import quantised_points, resolve_weights
from matching.solver.types import HostIn, Problem, StudentIn


def travel(s: StudentIn, h: HostIn) -> float:
    p1, p2 = math.radians(s.lat), math.radians(h.lat)
    dp, dl = p2 - p1, math.radians(h.lon - s.lon)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 10.0 + 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a))) * 1.3 / 0.95


def pair_ok(p: Problem, s: StudentIn, h: HostIn) -> bool:
    """Every hard rule but the date, pair by pair (the solver's own plain-Python checker)."""
    return not rule_breaks(p, s, h)


def slot_options(p: Problem) -> tuple[list[tuple[int, int]], dict[tuple[int, int], int], list]:
    """Slots (host index, date) with seats, their capacities, and per student the feasible
    (slot index, integer score on that slot's day) options -- a Python double loop over pairs."""
    enc = encode(p)
    weights = resolve_weights(p.weights)
    quantum = choose_quantum(len(p.students), weights)
    slots = [
        (hi, d)
        for d in range(len(p.date_labels))
        for hi, h in enumerate(p.hosts)
        if h.seats.get(d, 0) > 0
    ]
    cap = {sl: p.hosts[sl[0]].seats[sl[1]] for sl in slots}
    options = []
    for si, s in enumerate(p.students):
        opts = []
        for k, (hi, d) in enumerate(slots):
            h = p.hosts[hi]
            if d in s.dates and pair_ok(p, s, h):
                q = quantised_points(
                    enc, weights, np.array([si]), np.array([hi]), quantum, np.array([d])
                )
                opts.append((k, int(sum(int(v[0]) for v in q.values()))))
        options.append(opts)
    return slots, cap, options


def brute_force(p: Problem) -> tuple[int, int]:
    """(max placed, max total integer score among those) by exhaustive search."""
    slots, cap, options = slot_options(p)
    pins = {p.students.index(next(s for s in p.students if s.key == sk)): hk for sk, hk in p.pins}
    best = (-1, -1)
    choices = []
    for si, opts in enumerate(options):
        ch = [(k, w) for k, w in opts if si not in pins or p.hosts[slots[k][0]].key == pins[si]]
        if si not in pins:
            ch.append((None, 0))
        choices.append(ch)
    for combo in itertools.product(*choices):
        used: dict[int, int] = {}
        ok = True
        for k, _ in combo:
            if k is not None:
                used[k] = used.get(k, 0) + 1
                if used[k] > cap[slots[k]]:
                    ok = False
                    break
        if ok:
            val = (sum(k is not None for k, _ in combo), sum(w for _, w in combo))
            best = max(best, val)
    return best


def dense_lsa(p: Problem) -> tuple[int, int]:
    """The same lexicographic optimum by dense linear_sum_assignment over expanded seats."""
    slots, cap, options = slot_options(p)
    seats = [k for k, sl in enumerate(slots) for _ in range(cap[sl])]
    n = len(p.students)
    wmax = max((w for o in options for _, w in o), default=0)
    big_m = n * wmax + 1
    cost = np.zeros((n, len(seats) + n))
    col = {k: [c for c, kk in enumerate(seats) if kk == k] for k in range(len(slots))}
    for si, opts in enumerate(options):
        for k, w in opts:
            cost[si, col[k]] = -(big_m + w)
    r, c = linear_sum_assignment(cost)
    placed = int((cost[r, c] < 0).sum())
    total = int(-cost[r, c].sum() - placed * big_m)
    return placed, total


def max_cardinality(p: Problem) -> int:
    """Hopcroft-Karp on the seat-expanded feasible graph."""
    slots, cap, options = slot_options(p)
    seats = [k for k, sl in enumerate(slots) for _ in range(cap[sl])]
    rows, cols = [], []
    for si, opts in enumerate(options):
        ks = {k for k, _ in opts}
        for c, k in enumerate(seats):
            if k in ks:
                rows.append(si)
                cols.append(c)
    if not seats or not p.students:
        return 0
    g = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(p.students), len(seats)))
    return int((maximum_bipartite_matching(g, perm_type="column") >= 0).sum())
