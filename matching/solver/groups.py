"""Groups (two friends or siblings: same family, same day, or neither) and "not alone"
students (only where a second student visits the same family that day): exact, in three steps.

1. *Relaxation.*  Each group becomes one row of a plain b-matching: the families both may
   visit, the days both can come, worth M + (M + w_a + w_b) -- both members' value -- but
   taking one seat instead of two; "not alone" is dropped.  Every placement that keeps the
   rules is a placement of this relaxation with the same value, so its exact optimum
   (``assign``) z_B bounds ours, and its certificate (u, p) is dual feasible for every
   pair of the full graph: the reduced cost rc = u + p_j - value >= 0 everywhere.
2. *The linear programme and its bound.*  The programme proper (``programme``: a group's
   column takes two seats, "not alone" as x_sj <= the others in slot j) has a linear
   relaxation, solved by column generation from the relaxation's cheap pairs (a round adds
   each row's ``K_NEW`` most negative columns) and tightened by odd-set cuts, the parity
   cuts that a group half in one slot and half in another violates.  Its duals y give every
   column c of the full graph a reduced cost red_c >= 0 (after the last round) and the bound
   upper = b'y + sum of max(0, -red), which holds for any placement whatever y >= 0 is.
3. *Reduced-cost fixing.*  For any placement x that keeps the rules,
   value(x) <= upper - sum of red over its columns.  So a placement worth more than z_L (any
   placement found) uses only columns with red <= upper - z_L, and the integer programme
   (``scipy.optimize.milp``, HiGHS) over those alone is exact for the whole problem.  z_L
   comes from the same programme over the columns with red <= ``FIRST_GAP`` (and the last
   linear solution's): if upper - z_L <= ``FIRST_GAP`` that answer is already proven.

The objective is the solver's: M x placed + score, in integer quanta; HiGHS stops when the
gap to its bound is below half a quantum, so the integer optimum is exact.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import union
from .graph import Graph, pair_slots, slot_weights
from .programme import Programme

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]
FloatA = npt.NDArray[np.float64]

FIRST_GAP = 300  # quanta (0.3 points): the pairs of the first, usually already exact, programme
EPS_X = 1e-6
LP_START = 1000  # quanta: the relaxation's pairs the linear programme starts from
CUT_STALL = 100  # quanta: a round of cuts that gains less ends the linear programme
K_NEW = 4  # columns a row gains per round of column generation


def keeps_rules(assigned: IntA, ga: IntA, gb: IntA, not_alone: BoolA, cap: IntA) -> bool:
    """Whether a placement keeps every group together, every seat count and nobody
    "not alone" alone."""
    if ga.size and (assigned[ga] != assigned[gb]).any():
        return False
    load = np.bincount(assigned[assigned >= 0], minlength=cap.size)
    lonely = not_alone & (assigned >= 0)
    return not ((load > cap).any() or (load[assigned[lonely]] < 2).any())


def group_graph(g: Graph, s_dates: BoolA, ga: IntA, gb: IntA, big_m: int) -> tuple[Graph, BoolA]:
    """The relaxation's graph: member a's row becomes the group's (the families both may
    visit, worth big_m + w_a + w_b, sorted best first), member b's row is empty; the group's
    days are those both can come, and a day gives up what it gives up for either."""
    dates = s_dates.copy()
    dates[ga] &= s_dates[gb]
    dates[gb] = False
    rows = g.rows()
    w = g.w.astype(np.int64)
    group_of = np.full(g.n, -1, dtype=np.int64)
    group_of[ga] = group_of[gb] = np.arange(ga.size)
    member = group_of[rows] >= 0
    is_a = np.zeros(g.n, dtype=bool)
    is_a[ga] = True
    ia = np.nonzero(member & is_a[rows])[0]
    ib = np.nonzero(member & ~is_a[rows])[0]
    key_a = group_of[rows[ia]] * g.m + g.host[ia]
    key_b = group_of[rows[ib]] * g.m + g.host[ib]
    _, pa, pb = np.intersect1d(key_a, key_b, return_indices=True)
    # only families with two seats on a day both can come (a tightening, still a relaxation)
    two = np.zeros(pa.size, dtype=bool)
    for d in range(g.n_dates):
        jd = g.slot_of[g.host[ia[pa]], d]
        two |= (jd >= 0) & dates[rows[ia[pa]], d] & (g.slot_cap[np.maximum(jd, 0)] >= 2)
    pa, pb = pa[two], pb[two]
    both_p, both_w = ia[pa], big_m + w[ia[pa]] + w[ib[pb]]
    # the new arrays: singles' pairs as they were, then each group's row sorted best first
    keep = ~member
    s_all = np.concatenate((rows[keep], rows[both_p]))
    h_all = np.concatenate((g.host[keep], g.host[both_p]))
    w_all = np.concatenate((w[keep], both_w))
    head = np.concatenate(
        (
            np.arange(g.host.size)[keep] - g.indptr[rows[keep]] < g.n_top[rows[keep]],
            np.ones(both_p.size, dtype=bool),
        )
    )
    # rows stay in order; inside a group's row, best first
    order = np.lexsort((np.where(member[np.r_[np.nonzero(keep)[0], both_p]], -w_all, 0), s_all))
    s_all, h_all, w_all, head = s_all[order], h_all[order], w_all[order], head[order]
    indptr = np.zeros(g.n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s_all, minlength=g.n), out=indptr[1:])
    n_top = np.bincount(s_all[head], minlength=g.n)
    # first restricted problem: the singles' candidates and every pair of every group
    new_idx = np.full(g.host.size, -1, dtype=np.int64)
    new_idx[np.nonzero(keep)[0]] = np.nonzero(order < keep.sum())[0][
        np.argsort(order[order < keep.sum()])
    ]
    cand = new_idx[g.cand]
    groups = np.nonzero(np.isin(s_all, ga))[0]
    cand = union(cand[cand >= 0], groups)
    day_loss = g.day_loss.copy()
    day_loss[ga] += g.day_loss[gb]
    day_loss[gb] = 0
    out = replace(
        g,
        indptr=indptr,
        n_top=n_top,
        host=h_all.astype(np.int32),
        w=w_all,
        cand=cand,
        day_loss=day_loss,
    )
    return out, dates


def _columns(
    g: Graph, s_dates: BoolA, util: IntA, price: IntA, big_m: int
) -> tuple[IntA, IntA, IntA, IntA]:
    """Every (row, slot) of the relaxation's graph with its ``w`` and reduced cost (quanta)."""
    pi, j = pair_slots(g, s_dates, g.rows(), g.host.astype(np.int64))
    s = g.row_of(pi)
    w = slot_weights(g, s, g.w[pi], j)
    u = np.where(util > -big_m, util + big_m, 0)  # the dual of "seated at most once"
    rc = u[s] + price[j] - (big_m + w)
    return s, j, w, rc


def assign_with_groups(
    g: Graph,
    s_dates: BoolA,
    relaxed: IntA,
    util: IntA,
    price: IntA,
    big_m: int,
    ga: IntA,
    gb: IntA,
    not_alone: BoolA,
    fixed: BoolA,
    pin_h: IntA,
) -> tuple[IntA, dict[str, Any]]:
    """The exact optimum with groups, from the relaxation (``group_graph``) -- its optimum
    ``relaxed`` and its certificate.  ``fixed``: students that must be placed (pins, the
    hard tier); ``pin_h``: the pinned family row of each student (-1: none).  Returns
    (slot per student, stats)."""
    stats: dict[str, Any] = {
        "lp_rounds": 0,
        "cuts": 0,
        "milp_runs": 0,
        "milp_columns": 0,
        "proof_gap": 0,
    }
    whole = relaxed.copy()
    whole[gb] = relaxed[ga]
    if keeps_rules(whole, ga, gb, not_alone, g.slot_cap):
        return whole, stats  # the relaxation's optimum is a placement: nothing to prove
    s, j, w, rc = _columns(g, s_dates, util, price, big_m)
    ok = (pin_h[s] < 0) | (pin_h[s] == g.slot_host[j])
    is_group = np.zeros(g.n, dtype=bool)
    is_group[ga] = True
    ok &= ~is_group[s] | (g.slot_cap[j] >= 2)  # a group needs two seats
    s, j, w, rc = s[ok], j[ok], w[ok], rc[ok]
    prob = Programme(g, s, j, w, big_m, ga, gb, not_alone, fixed)
    t0 = time.process_time()
    red, upper, support = _bound(prob, np.nonzero((rc <= LP_START) | (relaxed[s] == j))[0], stats)
    t1 = time.process_time()
    # Any placement worth more than z_L uses only columns with red <= upper - z_L: first the
    # programme over the columns within FIRST_GAP of the bound, proven if the gap is within.
    cols = union(np.nonzero(red <= FIRST_GAP)[0], support)
    found = prob.solve(cols)
    stats["milp_runs"] = 1
    if found is None:  # those columns cannot seat every fixed student
        found = (np.full(g.n, -1, dtype=np.int64), -1)
    assigned, z_l = found
    need = np.nonzero(red <= upper - z_l + 1)[0]
    if np.setdiff1d(need, cols).size:
        cols = union(need, cols)
        found = prob.solve(cols)
        stats["milp_runs"] = 2
        if found is None:
            raise ValueError("no placement keeps the pins, the groups and 'not alone'")
        assigned, z_l = found
    stats["proof_gap"] = round(upper - z_l, 1)
    stats["milp_columns"] = int(cols.size)
    stats["lp_ms"] = round((t1 - t0) * 1e3, 1)
    stats["milp_ms"] = round((time.process_time() - t1) * 1e3, 1)
    return assigned, stats


def _bound(prob: Programme, cols: IntA, stats: dict[str, Any]) -> tuple[FloatA, float, IntA]:
    """The linear programme's bound, by column generation from ``cols`` and odd-set cuts
    until none is violated or a round of them gains less than ``CUT_STALL``: (reduced cost
    of every column, the bound, the columns the last solution uses)."""
    s = prob.s
    bound = np.inf
    while True:
        stats["lp_rounds"] += 1
        sol = prob.lp(cols)
        if sol is None:  # the first columns cannot seat the pins: take them all
            cols = np.arange(s.size)
            sol = prob.lp(cols)
            if sol is None:
                raise ValueError("no placement keeps the pins, the groups and 'not alone'")
        y, x = sol
        red, upper = prob.reduced(y, cols)
        new = _most_negative(s, red, cols)
        if not new.size:  # a bound over every column: stop when the cuts stop paying
            if bound - upper < CUT_STALL:
                break
            bound = upper
        if not prob.separate(cols, x) and not new.size:
            break
        cols = union(cols, new)
    stats["cuts"] = len(prob.cuts)
    return red, upper, cols[x > EPS_X]


def _most_negative(s: IntA, red: FloatA, cols: IntA) -> IntA:
    """The columns outside ``cols`` with a negative reduced cost, the ``K_NEW`` most negative
    of each row: enough for the next round, and the programme stays small."""
    bad = np.nonzero(red < -0.5)[0]
    bad = np.setdiff1d(bad, cols)
    if not bad.size:
        return bad
    order = np.lexsort((red[bad], s[bad]))
    bad = bad[order]
    rows = s[bad]
    first = np.searchsorted(rows, rows, side="left")
    return np.sort(bad[np.arange(bad.size) - first < K_NEW])
