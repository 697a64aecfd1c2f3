"""Assignment with seat capacities: the lexicographic optimum (students-proposing stable
matching is in ``stable``).

See the package docstring for the model and the proof that ``assign_optimal`` is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import (
    connected_components,
    maximum_bipartite_matching,
    min_weight_full_bipartite_matching,
)

from .arrays import union, unique
from .graph import Graph, pair_slots, slot_weights
from .pricing import tight_pairs, violations

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]

LOCAL_MAX_SHARE = 0.3  # a local repair larger than this share of the students is not worth it
LOCAL_MAX_NEW = 64  # ... and only after a round that added at most this many pairs
LOCAL_SWEEPS = 300  # price sweeps allowed after a local repair before falling back
NEAR = 2000  # quanta (2 points): pairs this close to breaking the certificate join early


class CapacityError(ValueError):
    """The pinned pairs cannot all be seated together."""


@dataclass
class AssignInfo:
    iterations: int = 0
    restricted_pairs: int = 0
    restricted_edges: int = 0
    components: int = 0
    solved_components: int = 0
    bf_passes: int = 0
    fallbacks: int = 0
    local_repairs: int = 0
    big_m: int = 0
    phase_ms: dict[str, float] = field(default_factory=dict)
    # the certificate: each student's utility (-M if unplaced) and each slot's price, in quanta
    util: IntA = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    price: IntA = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # the pairs of reduced cost 0 at the certificate, besides the placed ones
    tight: IntA = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _edges_of_pairs(g: Graph, s_dates: BoolA, pairs: IntA) -> tuple[IntA, IntA, IntA]:
    """Slot edges (student, slot, w) of the given pair indices, one per workable day."""
    s = g.row_of(pairs)
    h = g.host[pairs].astype(np.int64)
    pi, j = pair_slots(g, s_dates, s, h)
    order = np.lexsort((j, s[pi]))
    s, j, pi = s[pi][order], j[order], pi[order]
    return s, j, slot_weights(g, s, g.w[pairs][pi], j)


def _solve_component(
    rows: IntA, es: IntA, ej: IntA, ew: IntA, cap: IntA, pinned: BoolA, big_m: int, big: int
) -> tuple[IntA, IntA]:
    """LAPJVsp on one component; returns (students, slot or -1) for ``rows``."""
    slots, ej_local = np.unique(ej, return_inverse=True)
    deg = np.bincount(ej_local, minlength=slots.size)
    # Identical seats of one family-day are only expanded as far as students could fill them.
    n_seats = np.minimum(cap[slots], deg)
    seat_base = np.concatenate(([0], np.cumsum(n_seats)[:-1]))
    total_seats = int(n_seats.sum())
    r_local = np.searchsorted(rows, es)
    rep = n_seats[ej_local]
    er = np.repeat(r_local, rep)
    first = np.repeat(np.cumsum(rep) - rep, rep)
    ec = np.repeat(seat_base[ej_local], rep) + (np.arange(er.size) - first)
    cost = np.repeat(big - big_m - ew, rep).astype(np.float64)
    # Hopcroft-Karp first (milliseconds) decides the orientation.  LAPJVsp matches every row,
    # and a row that ends on its private "unplaced" column costs a search of the whole
    # component, so the rows are the side that leaves fewer of them out: the students when
    # all can sit (no dummy columns at all), the seats when every seat can be filled (short
    # of families), else the side with fewer left over.  Pinned students need the student
    # side: only a row is sure to be matched.
    pattern = sp.csr_matrix(
        (np.ones(er.size, dtype=np.int8), (er, ec)), shape=(rows.size, total_seats)
    )
    k = int(np.count_nonzero(maximum_bipartite_matching(pattern, perm_type="column") >= 0))
    by_seat = not pinned[rows].any() and total_seats - k < rows.size - k
    if by_seat:
        er, ec = ec, er
    n_rows, n_cols = (total_seats, rows.size) if by_seat else (rows.size, total_seats)
    if k == n_rows:
        free = np.zeros(0, dtype=np.int64)  # every row can be matched: no dummy needed
    elif by_seat:
        free = np.arange(n_rows)
    else:
        free = np.nonzero(~pinned[rows])[0]
    # "Unplaced" / "empty seat" is a private dummy column per row at the highest cost: a pair
    # is never forced.  Either way the objective is sum over pairs of (M + w).
    er = np.concatenate((er, free))
    ec = np.concatenate((ec, n_cols + np.arange(free.size)))
    cost = np.concatenate((cost, np.full(free.size, float(big))))
    mat = sp.csr_matrix((cost, (er, ec)), shape=(n_rows, n_cols + free.size))
    try:
        r_ind, c_ind = min_weight_full_bipartite_matching(mat)
    except ValueError as exc:
        raise CapacityError(str(exc)) from exc
    real = c_ind < n_cols
    r_ind, c_ind = r_ind[real], c_ind[real]
    if by_seat:
        r_ind, c_ind = c_ind, r_ind  # (student, seat)
    seat_slot = np.repeat(slots, n_seats)
    out = np.full(rows.size, -1, dtype=np.int64)
    out[r_ind] = seat_slot[c_ind]
    if (out[pinned[rows]] < 0).any():
        raise CapacityError("more pinned students than seats with their families")
    return rows, out


def _slot_prices(
    n: int,
    n_slots: int,
    es: IntA,
    ej: IntA,
    ew: IntA,
    assigned: IntA,
    big_m: int,
    max_sweeps: int | None = None,
) -> tuple[IntA, int]:
    """Minimal competitive prices of the slots for the restricted optimum (in quanta).

    The least p >= 0 with  p_j >= p_a(s) + w_sj - w_s,a(s)  for a placed student s and any
    other restricted slot j (s must not envy j), and  p_j >= M + w_sj  for an unplaced student
    with an edge to j.  A longest-path fixed point over the slots (Bellman-Ford with max),
    vectorised with ``np.maximum.reduceat``; it exists because the restricted solution is
    optimal (no improving cycle).  Minimal prices give every student its largest utility, so
    the pricing pass flags as few pairs as possible.
    """
    a_of = assigned[es]
    used = a_of == ej
    w_at = np.zeros(n, dtype=np.int64)
    w_at[es[used]] = ew[used]
    price = np.zeros(n_slots, dtype=np.int64)
    unpl = a_of < 0
    if unpl.any():
        np.maximum.at(price, ej[unpl], big_m + ew[unpl])
    move = (a_of >= 0) & ~used
    head = ej[move]
    order = np.argsort(head, kind="stable")
    head = head[order]
    tail = a_of[move][order]
    gain = (ew[move] - w_at[es[move]])[order]
    if head.size == 0:
        return price, 1
    starts = np.concatenate(([0], np.nonzero(np.diff(head))[0] + 1))
    heads = head[starts]
    limit = n_slots + 3 if max_sweeps is None else min(max_sweeps, n_slots + 3)
    for sweep in range(1, limit + 1):
        best = np.maximum.reduceat(gain + price[tail], starts)
        better = best > price[heads]
        if not better.any():
            return price, sweep
        price[heads[better]] = best[better]
    if max_sweeps is not None:
        return price, -1  # not settled: the caller falls back to an exact solve
    raise RuntimeError("improving cycle in the restricted solution: it is not optimal")


def assign_optimal(
    g: Graph,
    s_dates: BoolA,
    pin_s: IntA,
    pin_h: IntA,
    big_m: int,
    must: BoolA | None = None,
    extra_pairs: IntA | None = None,
) -> tuple[IntA, AssignInfo]:
    """Slot of each student (-1: unplaced) maximising (placed, total score) lexicographically.

    ``must``: students with no "unplaced" option (the hard priority tier); ``extra_pairs``
    join the first restricted problem (a seating of those students, so it is feasible).
    """
    import time

    info = AssignInfo(big_m=big_m)
    n, n_slots = g.n, g.n_slots
    cap = g.slot_cap
    wmax = int(g.w.max()) if g.w.size else 0
    big = big_m + wmax + 1
    pinned = np.zeros(n, dtype=bool)
    pinned[pin_s] = True
    pin_host = np.full(n, -1, dtype=np.int64)
    pin_host[pin_s] = pin_h
    stay = pinned.copy() if must is None else pinned | must  # no "unplaced" option

    # Pinned students keep only the pairs with their family; everybody else starts from the
    # best K pairs of each student.
    cand = g.cand
    cand = cand[~pinned[g.row_of(cand)]]
    pin_pairs = [
        np.arange(g.indptr[s], g.indptr[s + 1])[g.host[g.indptr[s] : g.indptr[s + 1]] == h]
        for s, h in zip(pin_s.tolist(), pin_h.tolist(), strict=True)
    ]
    extra = [] if extra_pairs is None else [extra_pairs]
    pairs = union(cand, *pin_pairs, *extra).astype(np.int64)

    assigned = np.full(n, -1, dtype=np.int64)
    if pairs.size == 0:  # nobody can be placed anywhere
        info.util = np.full(n, -big_m, dtype=np.int64)
        info.price = np.zeros(n_slots, dtype=np.int64)
        return assigned, info
    new_pairs = pairs
    full = True  # the first round solves every component exactly
    while True:
        info.iterations += 1
        t0 = time.perf_counter()
        es, ej, ew = _edges_of_pairs(g, s_dates, pairs)
        local = not full and new_pairs.size <= LOCAL_MAX_NEW
        if local and _solve_local(g.row_of(new_pairs), es, ej, ew, assigned, cap, stay, big_m, big):
            info.local_repairs += 1
        else:
            _solve_components(n, n_slots, es, ej, ew, cap, stay, big_m, big, assigned, info)
            full = True
        t1 = time.perf_counter()
        info.phase_ms["lapjvsp"] = info.phase_ms.get("lapjvsp", 0.0) + (t1 - t0) * 1e3
        price, passes = _slot_prices(
            n, n_slots, es, ej, ew, assigned, big_m, None if full else LOCAL_SWEEPS
        )
        info.bf_passes += passes
        t2 = time.perf_counter()
        info.phase_ms["duals"] = info.phase_ms.get("duals", 0.0) + (t2 - t1) * 1e3
        # A student's utility at the minimal prices: what it has minus the price of its slot.
        w_at = np.zeros(n, dtype=np.int64)
        w_at[es[assigned[es] == ej]] = ew[assigned[es] == ej]
        util = np.where(assigned >= 0, w_at - price[np.maximum(assigned, 0)], -big_m)
        # Complementary slackness, which the certificate relies on: only full slots have a
        # price, and no unpinned placed student would rather be unplaced.
        load = np.bincount(assigned[assigned >= 0], minlength=n_slots)
        slack_ok = passes >= 0 and not (
            (price[load < cap] > 0).any() or (util[(assigned >= 0) & ~stay] < -big_m).any()
        )
        if not slack_ok:
            if full:
                raise RuntimeError("restricted optimum and prices break complementary slackness")
            info.fallbacks += 1
            full = True  # the local repair was not optimal: solve everything exactly again
            new_pairs = pairs
            continue
        new_pairs, broken = violations(g, s_dates, pinned, assigned, util, price, pairs, NEAR)
        info.phase_ms["verify"] = (
            info.phase_ms.get("verify", 0.0) + (time.perf_counter() - t2) * 1e3
        )
        info.restricted_pairs = int(pairs.size)
        info.restricted_edges = int(es.size)
        if not broken:
            info.util, info.price = util, price
            if (assigned < 0).any():  # only the fair ties use them, for the unplaced
                info.tight = tight_pairs(g, s_dates, assigned, util, price)
            return assigned, info
        pairs = union(pairs, new_pairs)
        full = False


def _solve_components(
    n: int,
    n_slots: int,
    es: IntA,
    ej: IntA,
    ew: IntA,
    cap: IntA,
    pinned: BoolA,
    big_m: int,
    big: int,
    assigned: IntA,
    info: AssignInfo,
) -> None:
    """Solve every connected component of the restricted graph exactly (LAPJVsp)."""
    graph = sp.csr_matrix(
        (np.ones(es.size, dtype=np.int8), (es, n + ej)), shape=(n + n_slots, n + n_slots)
    )
    n_comp, labels = connected_components(graph, directed=False)
    comp_of_edge = labels[es]
    order = np.argsort(comp_of_edge, kind="stable")
    bounds = np.searchsorted(comp_of_edge[order], np.arange(n_comp + 1))
    info.components = int(np.count_nonzero(np.diff(bounds)))
    assigned[:] = -1
    for comp in np.nonzero(np.diff(bounds))[0].tolist():
        sel = order[bounds[comp] : bounds[comp + 1]]
        rows = unique(es[sel])
        info.solved_components += 1
        r, slot = _solve_component(rows, es[sel], ej[sel], ew[sel], cap, pinned, big_m, big)
        assigned[r] = slot


def _solve_local(
    new_students: IntA,
    es: IntA,
    ej: IntA,
    ew: IntA,
    assigned: IntA,
    cap: IntA,
    pinned: BoolA,
    big_m: int,
    big: int,
) -> bool:
    """Re-solve exactly only the neighbourhood of the pairs just added; False if too large.

    The neighbourhood: the students of the new pairs, the students sitting in any slot those
    can reach, and all their slots; everybody else keeps its seat (capacities shrink by it).
    The result need not be optimal for the whole restricted problem -- the price fixed point
    and the complementary-slackness check decide, and fall back to a full solve if not.
    """
    n, n_slots = assigned.size, cap.size
    reg_s = np.zeros(n, dtype=bool)
    reg_s[new_students] = True
    reg_j = np.zeros(n_slots, dtype=bool)
    reg_j[ej[reg_s[es]]] = True
    reg_s |= (assigned >= 0) & reg_j[np.maximum(assigned, 0)]
    reg_j[ej[reg_s[es]]] = True
    if reg_s.sum() > LOCAL_MAX_SHARE * n:
        return False
    rows = np.nonzero(reg_s)[0]
    outside = (assigned >= 0) & ~reg_s
    cap_loc = cap - np.bincount(assigned[outside], minlength=n_slots)
    sel = reg_s[es] & reg_j[ej]
    try:
        r, slot = _solve_component(rows, es[sel], ej[sel], ew[sel], cap_loc, pinned, big_m, big)
    except CapacityError:
        return False
    assigned[r] = slot
    return True
