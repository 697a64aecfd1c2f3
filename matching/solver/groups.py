"""Groups (two friends or siblings: same family, same day, or neither) and "not alone"
students (only where a second student visits the same family that day): exact, in two steps.

1. *Relaxation.*  Each group becomes one row of a plain b-matching: the families both may
   visit, the days both can come, worth M + (M + w_a + w_b) -- both members' value -- but
   taking one seat instead of two; "not alone" is dropped.  Every placement that keeps the
   rules is a placement of this relaxation with the same value, so its exact optimum
   (``assign``) z_B bounds ours, and its certificate (u, p) is dual feasible for every
   pair of the full graph: the reduced cost rc = u + p_j - value >= 0 everywhere.
2. *Reduced-cost fixing.*  For any placement x that keeps the rules,
   value(x) = z_B - sum of rc over its pairs - (u of the unplaced) - (p of the seats not
   used in the relaxation's count), every term >= 0.  So a placement worth at least z_L
   (any feasible one) uses only pairs with rc <= z_B - z_L.  An integer programme
   (``scipy.optimize.milp``, HiGHS) over those pairs alone -- a group's pair now taking two
   seats, "not alone" as x_sj <= the others in slot j -- is therefore exact for the whole
   problem.  z_L comes from the same programme over the pairs with rc <= ``FIRST_GAP``
   (plus the relaxation's own): if z_B - z_L <= ``FIRST_GAP`` that answer is already proven.

The objective is the solver's: M x placed + score, in integer quanta; HiGHS stops when the
gap to its bound is below half a quantum, so the integer optimum is exact.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .graph import Graph, pair_slots

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]

FIRST_GAP = 5000  # quanta (5 points): the pairs of the first, usually already exact, programme


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
    days are those both can come."""
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
    cand = np.union1d(cand[cand >= 0], groups)
    out = replace(g, indptr=indptr, n_top=n_top, host=h_all.astype(np.int32), w=w_all, cand=cand)
    return out, dates


def _columns(
    g: Graph, s_dates: BoolA, util: IntA, price: IntA, big_m: int
) -> tuple[IntA, IntA, IntA, IntA]:
    """Every (row, slot) of the relaxation's graph with its ``w`` and reduced cost (quanta)."""
    pi, j = pair_slots(g, s_dates, g.rows(), g.host.astype(np.int64))
    s = g.row_of(pi)
    w = g.w[pi].astype(np.int64)
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
    stats: dict[str, Any] = {"milp_runs": 0, "milp_columns": 0, "proof_gap": 0}
    whole = relaxed.copy()
    whole[gb] = relaxed[ga]
    if keeps_rules(whole, ga, gb, not_alone, g.slot_cap):
        return whole, stats  # the relaxation's optimum is a placement: nothing to prove
    s, j, w, rc = _columns(g, s_dates, util, price, big_m)
    if (rc < 0).any():
        raise RuntimeError("the relaxation's certificate is not dual feasible")
    own = relaxed[s] == j
    z_b = int((big_m + w[own]).sum())  # the relaxation's optimum: the bound
    ok = (pin_h[s] < 0) | (pin_h[s] == g.slot_host[j])
    is_group = np.zeros(g.n, dtype=bool)
    is_group[ga] = True
    ok &= ~is_group[s] | (g.slot_cap[j] >= 2)  # a group needs two seats
    s, j, w, rc, own = s[ok], j[ok], w[ok], rc[ok], own[ok]
    limit = FIRST_GAP
    while True:
        sel = (rc <= limit) | own
        assigned, value = _milp(g, s[sel], j[sel], w[sel], big_m, ga, gb, not_alone, fixed)
        stats["milp_runs"] += 1
        stats["milp_columns"] = int(sel.sum())
        gap = z_b - value
        stats["proof_gap"] = gap
        if gap <= limit:
            return assigned, stats
        limit = gap  # every pair a better placement could use is now in the programme


def _milp(
    g: Graph,
    s: IntA,
    j: IntA,
    w: IntA,
    big_m: int,
    ga: IntA,
    gb: IntA,
    not_alone: BoolA,
    fixed: BoolA,
) -> tuple[IntA, int]:
    """The integer programme over the given (row, slot) columns of the relaxation's graph
    (a group's row is member a's and takes two seats); (slot per student, value)."""
    n, n_slots = g.n, g.n_slots
    nc = s.size
    if nc == 0:
        if fixed.any():
            raise ValueError("no placement keeps the pins, the groups and 'not alone'")
        return np.full(n, -1, dtype=np.int64), 0
    is_group = np.zeros(n, dtype=bool)
    is_group[ga] = True
    fixed_row = fixed.copy()
    fixed_row[ga] |= fixed[gb]
    value = (big_m + w).astype(np.float64)
    cols = np.arange(nc)
    # each row at most once (exactly once if fixed)
    once = sp.csr_matrix((np.ones(nc), (s, cols)), shape=(n, nc))
    seats = np.where(is_group[s], 2.0, 1.0)
    seat = sp.csr_matrix((seats, (j, cols)), shape=(n_slots, nc))
    blocks = [once, seat]
    lo = [fixed_row.astype(np.float64), np.zeros(n_slots)]
    hi = [np.ones(n), g.slot_cap.astype(np.float64)]
    # "not alone": x_sj <= everybody else in slot j (a group member is never alone)
    lonely = np.nonzero(not_alone[s] & ~is_group[s])[0]
    if lonely.size:
        others = seat[j[lonely]].tolil()
        others[np.arange(lonely.size), lonely] = 0.0
        mine = sp.csr_matrix(
            (np.ones(lonely.size), (np.arange(lonely.size), lonely)), shape=(lonely.size, nc)
        )
        blocks.append(mine - others.tocsr())
        lo.append(np.full(lonely.size, -np.inf))
        hi.append(np.zeros(lonely.size))
    bound = float(value.sum()) + 1.0
    res = milp(
        -value,
        integrality=np.ones(nc),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(
            sp.vstack(blocks).tocsr(), np.concatenate(lo), np.concatenate(hi)
        ),
        options={"mip_rel_gap": 0.25 / bound},
    )
    if res.x is None:
        raise ValueError(f"no placement keeps the pins, the groups and 'not alone': {res.message}")
    x = np.rint(res.x).astype(bool)
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[s[x]] = j[x]
    assigned[gb] = assigned[ga]
    return assigned, int((big_m + w[x]).sum())
