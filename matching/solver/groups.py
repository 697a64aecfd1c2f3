"""Groups (two friends or siblings: same family, same day, or neither) and "not alone"
students (only where a second student visits the same family that day): exact, in two steps.

1. *Relaxation.*  Drop the coupling and solve the plain b-matching exactly (``assign``), with
   each group member already limited to the families and days its partner could share.
   Every placement that keeps the rules is a placement of this relaxation with the same
   value (a group counts as its two members), so its optimum z_B bounds ours, and its
   certificate (u, p) is dual feasible for every pair of the full graph: the reduced cost
   rc = u_s + p_j - (M + w_sj) is >= 0 everywhere.
2. *Reduced-cost fixing.*  For any placement x that keeps the rules,
   value(x) = z_B - sum of rc over its pairs - (u of the unplaced) - (p of the empty seats),
   every term >= 0.  So a placement worth at least z_L (any feasible one) uses only pairs
   with rc <= z_B - z_L.  An integer programme (``scipy.optimize.milp``, HiGHS) over those
   pairs alone -- groups as one variable per shared slot taking two seats, "not alone" as
   x_sj <= the others in slot j -- is therefore exact for the whole problem.  z_L comes from
   the same programme over the pairs with rc <= ``FIRST_GAP`` (plus the relaxation's own):
   if z_B - z_L <= ``FIRST_GAP`` that first answer is already proven optimal.

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


def keeps_rules(assigned: IntA, ga: IntA, gb: IntA, not_alone: BoolA, n_slots: int) -> bool:
    """Whether a placement keeps every group together and nobody "not alone" alone."""
    if ga.size and (assigned[ga] != assigned[gb]).any():
        return False
    load = np.bincount(assigned[assigned >= 0], minlength=n_slots)
    lonely = not_alone & (assigned >= 0)
    return not (load[assigned[lonely]] < 2).any()


def restrict_to_partners(g: Graph, s_dates: BoolA, ga: IntA, gb: IntA) -> tuple[Graph, BoolA]:
    """The graph and days with each group member limited to what its partner could share:
    the families both may visit and the days both can come (a valid tightening of the
    relaxation -- a group is only ever placed there)."""
    dates = s_dates.copy()
    dates[ga] &= s_dates[gb]
    dates[gb] = dates[ga]
    partner = np.full(g.n, -1, dtype=np.int64)
    partner[ga], partner[gb] = gb, ga
    rows = g.rows()
    member = partner[rows] >= 0
    keep = np.ones(g.host.size, dtype=bool)
    if member.any():
        p_idx = np.nonzero(member)[0]
        key = rows[p_idx] * g.m + g.host[p_idx]
        partner_key = partner[rows[p_idx]] * g.m + g.host[p_idx]
        keep[p_idx] = np.isin(partner_key, key)
    idx = np.cumsum(keep) - 1
    counts = np.bincount(rows[keep], minlength=g.n)
    indptr = np.zeros(g.n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    in_head = (np.arange(g.host.size) - g.indptr[rows]) < g.n_top[rows]
    n_top = np.bincount(rows[keep & in_head], minlength=g.n)
    cand = g.cand[keep[g.cand]]
    out = replace(g, indptr=indptr, n_top=n_top, host=g.host[keep], w=g.w[keep], cand=idx[cand])
    return out, dates


def _columns(
    g: Graph, s_dates: BoolA, util: IntA, price: IntA, big_m: int
) -> tuple[IntA, IntA, IntA, IntA]:
    """Every (student, slot) of the graph with its score and reduced cost (quanta)."""
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
    """The exact optimum with groups, from the relaxation's optimum ``relaxed`` and its
    certificate.  ``fixed``: students that must be placed (pins); ``pin_h``: the pinned
    family row of each student (-1: none).  Returns (slot per student, stats)."""
    stats: dict[str, Any] = {"milp_runs": 0, "milp_columns": 0, "proof_gap": 0}
    if keeps_rules(relaxed, ga, gb, not_alone, g.n_slots):
        return relaxed, stats
    s, j, w, rc = _columns(g, s_dates, util, price, big_m)
    ok = (pin_h[s] < 0) | (pin_h[s] == g.slot_host[j])
    s, j, w, rc = s[ok], j[ok], w[ok], rc[ok]
    z_b = int((big_m + w[relaxed[s] == j]).sum())
    own = relaxed[s] == j
    limit = FIRST_GAP
    while True:
        sel = (rc <= limit) | own
        assigned, value = _milp(
            g, s[sel], j[sel], w[sel], rc[sel], limit, big_m, ga, gb, not_alone, fixed
        )
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
    rc: IntA,
    limit: int,
    big_m: int,
    ga: IntA,
    gb: IntA,
    not_alone: BoolA,
    fixed: BoolA,
) -> tuple[IntA, int]:
    """The integer programme over the given (student, slot) columns; (slot per student, value)."""
    n, n_slots = g.n, g.n_slots
    group_of = np.full(n, -1, dtype=np.int64)
    group_of[ga] = np.arange(ga.size)
    group_of[gb] = np.arange(gb.size)
    single = group_of[s] < 0
    xs, xj, xw = s[single], j[single], w[single]
    # a group's variable per slot both members reach (and their reduced costs allow)
    key_a = ga[group_of[s[~single]]]
    m_s, m_j, m_w, m_rc = s[~single], j[~single], w[~single], rc[~single]
    is_a = m_s == key_a
    a_key = group_of[m_s[is_a]] * n_slots + m_j[is_a]
    b_key = group_of[m_s[~is_a]] * n_slots + m_j[~is_a]
    common, ia, ib = np.intersect1d(a_key, b_key, return_indices=True)
    yw = m_w[is_a][ia] + m_w[~is_a][ib]
    both = (m_rc[is_a][ia] + m_rc[~is_a][ib] <= limit) & (g.slot_cap[common % n_slots] >= 2)
    common, yw = common[both], yw[both]
    yg, yj = common // n_slots, common % n_slots
    nx, ny = xs.size, yg.size
    if nx + ny == 0:
        if fixed.any():
            raise ValueError("no placement keeps the pins, the groups and 'not alone'")
        return np.full(n, -1, dtype=np.int64), 0
    value = np.concatenate((big_m + xw, 2 * big_m + yw)).astype(np.float64)

    rows: list[sp.csr_matrix] = []
    lo: list[npt.NDArray[np.float64]] = []
    hi: list[npt.NDArray[np.float64]] = []
    # each single student at most once (exactly once if fixed); each group likewise
    st = sp.csr_matrix((np.ones(nx), (xs, np.arange(nx))), shape=(n, nx + ny))
    rows.append(st)
    lo.append((fixed & (group_of < 0)).astype(np.float64))
    hi.append(np.ones(n))
    gr = sp.csr_matrix((np.ones(ny), (yg, nx + np.arange(ny))), shape=(ga.size, nx + ny))
    rows.append(gr)
    lo.append((fixed[ga] | fixed[gb]).astype(np.float64))
    hi.append(np.ones(ga.size))
    # seats of each slot; a group takes two
    seat = sp.csr_matrix(
        (
            np.concatenate((np.ones(nx), np.full(ny, 2.0))),
            (np.concatenate((xj, yj)), np.arange(nx + ny)),
        ),
        shape=(n_slots, nx + ny),
    )
    rows.append(seat)
    lo.append(np.zeros(n_slots))
    hi.append(g.slot_cap.astype(np.float64))
    # "not alone": x_sj <= everybody else in slot j
    lonely = np.nonzero(not_alone[xs])[0]
    if lonely.size:
        others = seat[xj[lonely]].tolil()
        others[np.arange(lonely.size), lonely] = 0.0
        mine = sp.csr_matrix(
            (np.ones(lonely.size), (np.arange(lonely.size), lonely)), shape=(lonely.size, nx + ny)
        )
        rows.append(mine - others.tocsr())
        lo.append(np.full(lonely.size, -np.inf))
        hi.append(np.zeros(lonely.size))
    a = sp.vstack(rows).tocsr()
    bound = float(value.sum()) + 1.0
    res = milp(
        -value,
        integrality=np.ones(nx + ny),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(a, np.concatenate(lo), np.concatenate(hi)),
        options={"mip_rel_gap": 0.25 / bound},
    )
    if res.x is None:
        raise ValueError(f"no placement keeps the pins, the groups and 'not alone': {res.message}")
    x = np.rint(res.x).astype(bool)
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[xs[x[:nx]]] = xj[x[:nx]]
    chosen = x[nx:]
    assigned[ga[yg[chosen]]] = yj[chosen]
    assigned[gb[yg[chosen]]] = yj[chosen]
    total = int((big_m + xw[x[:nx]]).sum() + (2 * big_m + yw[chosen]).sum())
    return assigned, total
