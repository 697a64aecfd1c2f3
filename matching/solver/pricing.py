"""The pricing pass of the optimal assignment: which pairs outside the restricted problem
break its dual certificate (util, price), and which have reduced cost 0 (the fair ties).

Rows are sorted by score, so only a prefix of each can break the certificate; the rest of a
row is read only when its whole sorted head could."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import union, unique
from .graph import Graph

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]

INF = 1 << 61  # "no seat that day": above any price, far below int64 overflow
K_ADD = 32  # violated pairs added per student and round (the most violated first)
SCAN_RUN = 1 << 19  # pairs read at a time: the temporaries stay in the cache


def scan(
    g: Graph,
    s_dates: BoolA,
    assigned: IntA,
    util: IntA,
    price: IntA,
    start: IntA,
    length: IntA,
    near: int,
) -> tuple[IntA, IntA]:
    """Pairs among start[s] .. start[s]+length[s] with reduced cost < near, and those costs.

    Per day, the reduced cost is (the student's utility plus what the day gives up, or INF
    if the student cannot come) + (the family's price that day, INF without a seat) - w:
    two small tables, so each pair costs one gather and three additions.  The rows are read
    a run of students at a time, so the temporaries stay small however many pairs are read."""
    ends = np.cumsum(length)
    total = int(ends[-1]) if ends.size else 0
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    price_or_inf = np.append(price, INF)  # slot -1 (no seat that day) reads INF
    family = [price_or_inf[g.slot_of[:, d]] for d in range(g.n_dates)]
    student = [np.where(s_dates[:, d], util + g.day_loss[:, d], INF) for d in range(g.n_dates)]
    cuts = np.searchsorted(ends, np.arange(SCAN_RUN, total, SCAN_RUN), side="right")
    bounds = unique(np.concatenate(([0], cuts, [length.size])))
    ps: list[IntA] = []
    rs: list[IntA] = []
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        run = length[a:b]
        count = int(run.sum())
        if count == 0:
            continue
        first = np.repeat(np.cumsum(run) - run, run)
        p = np.repeat(start[a:b], run) + (np.arange(count) - first)
        h = g.host[p]
        w = g.w[p]
        for d in range(g.n_dates):
            red = np.repeat(student[d][a:b], run)
            red += family[d][h]
            red -= w
            bad = np.nonzero(red < near)[0]
            mine = assigned[g.row_of(p[bad])] == g.slot_of[h[bad], d]
            ps.append(p[bad[~mine]])
            rs.append(red[bad[~mine]])
    return np.concatenate(ps), np.concatenate(rs)


def head_above(g: Graph, pinned: BoolA, bound: IntA) -> IntA:
    """Per student, how many pairs of its sorted head score above ``bound`` (bisection)."""
    lo = g.indptr[:-1].copy()
    # a pinned student has no other pair in the model: nothing to price
    hi = np.where(pinned, lo, g.indptr[:-1] + g.n_top)
    while True:  # first pair of the sorted head with w <= bound
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        go_right = open_ & (g.w[np.minimum(mid, g.w.size - 1)] > bound)
        lo = np.where(go_right, mid + 1, lo)
        hi = np.where(open_ & ~go_right, mid, hi)
    out: IntA = lo - g.indptr[:-1]
    return out


def violations(
    g: Graph,
    s_dates: BoolA,
    pinned: BoolA,
    assigned: IntA,
    util: IntA,
    price: IntA,
    pairs: IntA,
    near: int = 0,
) -> tuple[IntA, bool]:
    """Pairs outside the restricted problem that would break the dual certificate.

    (s, j) violates when w_sj - price_j > util_s: the student would rather buy a seat at j
    (for an unplaced student util = -M: any slot with price_j < M + w_sj).  Prices are >= 0, so
    only pairs with w_sj > util_s can violate: a prefix of the student's row (rows are sorted
    by score), found by a vectorised bisection.  Returns the K_ADD most violated per student,
    counting as violated also the pairs outside ``pairs`` with a reduced cost below ``near``
    (they tend to break after the next solve), and whether any pair really breaks it.
    """
    head_near = head_above(g, pinned, util - near)
    p_found, r_found = scan(g, s_dates, assigned, util, price, g.indptr[:-1], head_near, near)
    # The unsorted rest of a row scores at most its sorted head: it can break the
    # certificate only when the whole head scores above the student's utility.
    head = head_above(g, pinned, util)
    long_ = (head == g.n_top) & ~pinned
    rest = np.where(long_, np.diff(g.indptr) - g.n_top, 0)
    p_more, r_more = scan(g, s_dates, assigned, util, price, g.indptr[:-1] + g.n_top, rest, near)
    p = np.concatenate((p_found, p_more))
    red = np.concatenate((r_found, r_more))
    broken = bool((red < 0).any())
    if not broken:  # the certificate holds: no pair joins, the round is the last one
        return np.zeros(0, dtype=np.int64), broken
    if near > 0 and p.size:
        # restricted pairs are dual feasible (red >= 0); only new ones are worth adding
        pos = np.minimum(np.searchsorted(pairs, p), max(pairs.size - 1, 0))
        new = pairs[pos] != p if pairs.size else np.ones(p.size, dtype=bool)
        p, red = p[new], red[new]
    if p.size == 0:
        return p, broken
    s = g.row_of(p)
    order = np.lexsort((p, red, s))
    p, s = p[order], s[order]
    first = np.concatenate(([0], np.nonzero(np.diff(s))[0] + 1))
    rank = np.arange(s.size) - np.repeat(first, np.diff(np.concatenate((first, [s.size]))))
    return unique(p[rank < K_ADD]), broken


def tight_pairs(g: Graph, s_dates: BoolA, assigned: IntA, util: IntA, price: IntA) -> IntA:
    """Pairs with a day of reduced cost 0 at the certificate (util, price), besides the
    placed ones: a prefix of each sorted row, the whole row only when the prefix is all at
    or above the student's utility (the rest may then tie with it)."""
    none = np.zeros(g.n, dtype=bool)
    head = head_above(g, none, util - 1)
    p1, _ = scan(g, s_dates, assigned, util, price, g.indptr[:-1], head, 1)
    rest = np.where(head == g.n_top, np.diff(g.indptr) - g.n_top, 0)
    p2, _ = scan(g, s_dates, assigned, util, price, g.indptr[:-1] + g.n_top, rest, 1)
    return union(p1, p2)
