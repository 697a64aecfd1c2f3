"""The integer programme of a round with groups and "not alone" students, over (row, slot)
columns of the relaxation's graph (``groups.group_graph``: a group's row is member a's and
takes two seats), its linear relaxation strengthened by odd-set cuts, and its duals.

Rows: each row seated at most once (at least once if fixed), the seats of each slot, and for
each "not alone" column x_c <= the others in its slot.  The linear relaxation is loose where
a group is half in one slot and half in another, each half filling a seat left by students
(an odd cycle).  An *odd-set cut* removes that: for rows R_s and slots R_j whose right-hand
sides |R_s| + seats(R_j) add up to an odd number, half the sum of their rows, rounded down,

    sum of x over the single columns inside (R_s, R_j) + sum of y over the groups in R_j
        <= (|R_s| + seats(R_j) - 1) / 2,

holds for every placement (a Chvatal-Gomory cut with multipliers 1/2).  ``separate`` finds
violated ones among the connected parts of the tight rows (joined by the columns in use).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from .graph import Graph

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]
FloatA = npt.NDArray[np.float64]

EPS = 1e-6


class Programme:
    """The programme over the columns (row ``s``, slot ``j``, worth ``w`` besides big_m)."""

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
        # the columns of each slot, for the cuts' coefficients
        self._by_slot = np.argsort(j, kind="stable")
        self._slot_start = np.searchsorted(j[self._by_slot], np.arange(g.n_slots + 1))
        self.cuts: list[tuple[IntA, FloatA]] = []  # (columns, coefficients) of each cut
        self.cut_rhs: list[float] = []

    def _matrix(self, cols: IntA) -> tuple[sp.csr_matrix, FloatA, FloatA]:
        """The rows of the module docstring over ``cols``, then the cuts."""
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
        if self.cuts:
            pos = np.full(self.s.size, -1, dtype=np.int64)
            pos[cols] = np.arange(nc)
            rows = [np.full(c.size, i) for i, (c, _) in enumerate(self.cuts)]
            cc = np.concatenate([c for c, _ in self.cuts])
            coef = np.concatenate([v for _, v in self.cuts])
            r = np.concatenate(rows)
            inside = pos[cc] >= 0
            blocks.append(
                sp.csr_matrix(
                    (coef[inside], (r[inside], pos[cc[inside]])), shape=(len(self.cuts), nc)
                )
            )
            lo.append(np.full(len(self.cuts), -np.inf))
            hi.append(np.array(self.cut_rhs))
        return sp.vstack(blocks).tocsr(), np.concatenate(lo), np.concatenate(hi)

    def lp(self, cols: IntA) -> tuple[FloatA, FloatA] | None:
        """(duals y >= 0, primal x over ``cols``) of the linear programme (rows as
        ``_matrix``, then the "at least once" rows of fixed students); None if infeasible."""
        a, lo, hi = self._matrix(cols)
        ge = np.nonzero(lo > 0)[0]
        res = linprog(
            -self.value[cols],
            A_ub=sp.vstack([a, -a[ge]]).tocsr(),
            b_ub=np.concatenate((hi, -lo[ge])),
            bounds=(0, None),
            method="highs-ipm",
        )
        if res.status != 0:
            return None
        self._rows = (hi, lo[ge], ge, cols)
        y: FloatA = np.maximum(-res.ineqlin.marginals, 0.0)
        return y, np.asarray(res.x, dtype=np.float64)

    def reduced(self, y: FloatA, cols: IntA) -> tuple[FloatA, float]:
        """Reduced cost A_c'y - value_c of every column (not only ``cols``), and the bound
        b'y + sum of max(0, -reduced): an upper bound on any placement for any y >= 0."""
        g, n = self.g, self.g.n
        hi, lo_ge, ge, _ = self._rows
        n_cuts = len(self.cuts)
        n_lonely = hi.size - n - g.n_slots - n_cuts
        y_once = y[:n].copy()
        np.subtract.at(y_once, ge, y[hi.size :])
        p = y[n : n + g.n_slots]
        y_own = y[n + g.n_slots : n + g.n_slots + n_lonely]
        lonely_cols = cols[np.nonzero(self.lonely[cols])[0]]
        q = np.zeros(g.n_slots)
        np.add.at(q, self.j[lonely_cols], y_own)
        red = y_once[self.s] + self.seats * (p[self.j] - q[self.j]) - self.value
        if n_lonely:
            red[lonely_cols] += y_own * (1.0 + self.seats[lonely_cols])
        y_cut = y[hi.size - n_cuts : hi.size]
        for (c, coef), z in zip(self.cuts, y_cut.tolist(), strict=True):
            if z > 0:
                red[c] += z * coef
        upper = float(hi @ y[: hi.size] - lo_ge @ y[hi.size :] + np.maximum(-red, 0.0).sum())
        return red, upper

    def separate(self, cols: IntA, x: FloatA) -> int:
        """Add the odd-set cuts that ``x`` (over ``cols``) violates; returns how many.

        Candidates: the connected parts of the tight rows (seated once, slot full) joined by
        the single columns in use.  A part of whole placements is even (a full slot's seats
        and its students); only a fractional part can be odd and violated."""
        g, n = self.g, self.g.n
        s, j, seats = self.s[cols], self.j[cols], self.seats[cols]
        once = np.bincount(s, weights=x, minlength=n)
        load = np.bincount(j, weights=x * seats, minlength=g.n_slots)
        tight = np.concatenate((once > 1 - EPS, load > g.slot_cap - EPS))
        single = seats == 1.0
        used = single & (x > EPS) & tight[s] & tight[n + j]
        nodes = n + g.n_slots
        graph = sp.csr_matrix(
            (np.ones(int(used.sum())), (s[used], n + j[used])), shape=(nodes, nodes)
        )
        _, label = connected_components(graph, directed=False)
        part = np.full(nodes, -1, dtype=np.int64)
        touched = np.zeros(nodes, dtype=bool)
        touched[s[used]] = touched[n + j[used]] = True
        part[touched] = label[touched]
        n_parts = int(label.max()) + 1
        rhs = np.bincount(
            part[touched],
            weights=np.concatenate((np.ones(n), g.slot_cap.astype(np.float64)))[touched],
            minlength=n_parts,
        )
        # left-hand side per part: single columns with both ends inside, groups in its slots
        ps, pj = part[s], part[n + j]
        inner = np.where(single, (ps == pj) & (ps >= 0), pj >= 0)
        lhs = np.bincount(pj[inner], weights=x[inner], minlength=n_parts)
        odd = (np.rint(rhs).astype(np.int64) % 2) == 1
        bad = np.nonzero(odd & (lhs > (rhs - 1) / 2 + EPS))[0]
        for b in bad.tolist():
            self._add_cut(np.nonzero(part[:n] == b)[0], np.nonzero(part[n:] == b)[0])
        # a slot alone: with three seats, one group at most
        groups_in = np.bincount(j[~single], weights=x[~single], minlength=g.n_slots)
        full = np.nonzero((g.slot_cap % 2 == 1) & (groups_in > (g.slot_cap - 1) // 2 + EPS))[0]
        for k in full.tolist():
            self._add_cut(np.zeros(0, dtype=np.int64), np.array([k]))
        return int(bad.size + full.size)

    def _add_cut(self, rows: IntA, slots: IntA) -> None:
        """The odd-set cut of (rows, slots) over every column."""
        cand = np.concatenate(
            [self._by_slot[self._slot_start[k] : self._slot_start[k + 1]] for k in slots.tolist()]
        )
        mine = np.zeros(self.g.n, dtype=bool)
        mine[rows] = True
        coef = np.floor(0.5 * (mine[self.s[cand]] + self.seats[cand]))
        keep = coef > 0
        self.cuts.append((cand[keep], coef[keep]))
        self.cut_rhs.append(float((rows.size + int(self.g.slot_cap[slots].sum()) - 1) // 2))

    def solve(self, cols: IntA) -> tuple[IntA, int] | None:
        """The integer optimum over ``cols``: (slot per student, value); None if no placement
        over them keeps every row's bounds."""
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
            return None
        x = np.rint(res.x).astype(bool)
        assigned = np.full(self.g.n, -1, dtype=np.int64)
        assigned[self.s[cols][x]] = self.j[cols][x]
        assigned[self.gb] = assigned[self.ga]
        return assigned, int(value[x].sum().round())
