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
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .graph import Graph, pair_slots, slot_weights

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]
FloatA = npt.NDArray[np.float64]

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
    cand = np.union1d(cand[cand >= 0], groups)
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
    stats: dict[str, Any] = {"lp_rounds": 0, "milp_runs": 0, "milp_columns": 0, "proof_gap": 0}
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
    prob = _Programme(g, s, j, w, big_m, ga, gb, not_alone, fixed)
    # The linear programme's bound, by column generation from the relaxation's cheap pairs.
    cols = np.nonzero((rc <= FIRST_GAP) | (relaxed[s] == j))[0]
    while True:
        stats["lp_rounds"] += 1
        y = prob.lp_duals(cols)
        if y is None:  # the first columns cannot seat the pins: take them all
            cols = np.arange(s.size)
            y = prob.lp_duals(cols)
            if y is None:
                raise ValueError("no placement keeps the pins, the groups and 'not alone'")
        red, upper = prob.reduced(y, cols)
        new = np.setdiff1d(np.nonzero(red < -0.5)[0], cols)
        if not new.size:
            break
        cols = np.union1d(cols, new)
    # any placement worth more than z_L uses only columns with red <= upper - z_L
    assigned, z_l = prob.solve(cols)
    stats["milp_runs"] = 1
    need = np.nonzero(red <= upper - z_l + 1)[0]
    stats["proof_gap"] = round(upper - z_l, 1)
    if np.setdiff1d(need, cols).size:
        cols = np.union1d(cols, need)
        assigned, z_l = prob.solve(cols)
        stats["milp_runs"] = 2
    stats["milp_columns"] = int(cols.size)
    return assigned, stats


class _Programme:
    """The integer programme over (row, slot) columns of the relaxation's graph -- a group's
    row is member a's and takes two seats -- and its linear relaxation's duals."""

    def __init__(
        self,
        g: Graph,
        s: IntA,
        j: IntA,
        w: IntA,
        big_m: int,
        ga: IntA,
        gb: IntA,
        not_alone: BoolA,
        fixed: BoolA,
    ) -> None:
        self.g, self.s, self.j, self.ga, self.gb = g, s, j, ga, gb
        is_group = np.zeros(g.n, dtype=bool)
        is_group[ga] = True
        self.fixed = fixed.copy()
        self.fixed[ga] |= fixed[gb]
        self.fixed[gb] = False
        self.value = (big_m + w).astype(np.float64)
        self.seats = np.where(is_group[s], 2.0, 1.0)
        self.lonely = not_alone[s] & ~is_group[s]  # a group member is never alone

    def _matrix(self, cols: IntA) -> tuple[sp.csr_matrix, FloatA, FloatA]:
        """Rows: each student once (at least once if fixed), seats per slot, and for each
        "not alone" column x_c <= the others in its slot."""
        g, n, nc = self.g, self.g.n, cols.size
        s, j, seats = self.s[cols], self.j[cols], self.seats[cols]
        k = np.arange(nc)
        once = sp.csr_matrix((np.ones(nc), (s, k)), shape=(n, nc))
        seat = sp.csr_matrix((seats, (j, k)), shape=(g.n_slots, nc))
        blocks = [once, seat]
        lo = [self.fixed.astype(np.float64), np.zeros(g.n_slots)]
        hi = [np.ones(n), g.slot_cap.astype(np.float64)]
        lonely = np.nonzero(self.lonely[cols])[0]
        if lonely.size:
            others = seat[j[lonely]].tolil()
            others[np.arange(lonely.size), lonely] = 0.0
            mine = sp.csr_matrix(
                (np.ones(lonely.size), (np.arange(lonely.size), lonely)), shape=(lonely.size, nc)
            )
            blocks.append(mine - others.tocsr())
            lo.append(np.full(lonely.size, -np.inf))
            hi.append(np.zeros(lonely.size))
        return sp.vstack(blocks).tocsr(), np.concatenate(lo), np.concatenate(hi)

    def lp_duals(self, cols: IntA) -> FloatA | None:
        """Duals y >= 0 of the linear programme over ``cols`` (rows as ``_matrix``, then the
        "at least once" rows of fixed students); None if it is infeasible."""
        a, lo, hi = self._matrix(cols)
        ge = np.nonzero(lo > 0)[0]
        res = linprog(
            -self.value[cols],
            A_ub=sp.vstack([a, -a[ge]]).tocsr(),
            b_ub=np.concatenate((hi, -lo[ge])),
            bounds=(0, None),
            method="highs",
        )
        if res.status != 0:
            return None
        self._rows = (hi, lo[ge], ge, cols)
        y: FloatA = np.maximum(-res.ineqlin.marginals, 0.0)
        return y

    def reduced(self, y: FloatA, cols: IntA) -> tuple[FloatA, float]:
        """Reduced cost A_c'y - value_c of every column (not only ``cols``), and the bound
        b'y + sum of max(0, -reduced): an upper bound on any placement for any y >= 0."""
        g, n = self.g, self.g.n
        hi, lo_ge, ge, _ = self._rows
        n_lonely = hi.size - n - g.n_slots
        y_once = y[:n].copy()
        np.subtract.at(y_once, ge, y[hi.size :])
        p = y[n : n + g.n_slots]
        y_own = y[n + g.n_slots : hi.size]
        lonely_cols = cols[np.nonzero(self.lonely[cols])[0]]
        q = np.zeros(g.n_slots)
        np.add.at(q, self.j[lonely_cols], y_own)
        at = y_once[self.s] + self.seats * (p[self.j] - q[self.j])
        own = np.zeros(self.s.size)
        if n_lonely:
            own[lonely_cols] = y_own * (1.0 + self.seats[lonely_cols])
        red = at + own - self.value
        upper = float(hi @ y[: hi.size] - lo_ge @ y[hi.size :] + np.maximum(-red, 0.0).sum())
        return red, upper

    def solve(self, cols: IntA) -> tuple[IntA, int]:
        """The integer optimum over ``cols``: (slot per student, value)."""
        a, lo, hi = self._matrix(cols)
        value = self.value[cols]
        res = milp(
            -value,
            integrality=np.ones(cols.size),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(a, lo, hi),
            options={"mip_rel_gap": 0.25 / (float(value.sum()) + 1.0)},
        )
        if res.x is None:
            raise ValueError(
                f"no placement keeps the pins, the groups and 'not alone': {res.message}"
            )
        x = np.rint(res.x).astype(bool)
        assigned = np.full(self.g.n, -1, dtype=np.int64)
        assigned[self.s[cols][x]] = self.j[cols][x]
        assigned[self.gb] = assigned[self.ga]
        return assigned, int(value[x].sum().round())
