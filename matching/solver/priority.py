"""Fair ties: who goes first among students the objective cannot tell apart.

The order (rank 0 first): first-time visitors (no home visit in an earlier programme), then
students left unplaced in an earlier round of any programme (more rounds first), then a
lottery -- a permutation drawn from ``Problem.lottery_seed`` over the students sorted by key,
so the same seed and applicants replay the same draw whatever the input order.  With
``unplaced_twice_first`` the students unplaced twice or more form a hard tier: placed before
anyone else wherever that is possible at all (``assign``), not only among equals.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .arrays import union, unique
from .assign import _solve_component
from .encode import Encoded
from .graph import Graph, pair_slots, slot_weights

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]

HARD_TIER_UNPLACED = 2  # "anyone unplaced twice is placed first"


def lottery(keys: IntA, seed: int) -> IntA:
    """Each student's lottery number (0 = drawn first), a function of the seed and the keys."""
    order = np.argsort(keys, kind="stable")
    draw = np.random.default_rng(seed).permutation(keys.size)
    out = np.empty(keys.size, dtype=np.int64)
    out[order] = draw
    return out


def priority_rank(enc: Encoded, seed: int) -> IntA:
    """Rank of each student row in the fair-tie order (0 = first among equals)."""
    ticket = lottery(enc.s_key, seed)
    first = enc.s_visits_before == 0
    order = np.lexsort((ticket, -enc.s_unplaced_before, ~first))
    rank = np.empty(enc.n, dtype=np.int64)
    rank[order] = np.arange(enc.n)
    return rank


def hard_tier(enc: Encoded, on: bool) -> BoolA:
    """The students the coordinator's setting places first (none when it is off)."""
    if not on:
        return np.zeros(enc.n, dtype=bool)
    out: BoolA = enc.s_unplaced_before >= HARD_TIER_UNPLACED
    return out


def seat_hard_tier(
    g: Graph, s_dates: BoolA, hard: BoolA, rank: IntA, pin_s: IntA, pin_h: IntA
) -> tuple[BoolA, IntA, IntA]:
    """The hard tier's students that can all be placed together (with the pins), the most of
    them and then the highest in the fair-tie order; a pair of each, to seed the solve; and
    the slot of each (-1 elsewhere), for the stable mode.

    One exact assignment of the tier and the pins alone (pins keep their families); the
    students it seats become ``must`` for the round -- nobody else can push them out.
    """
    must = np.zeros(g.n, dtype=bool)
    at = np.full(g.n, -1, dtype=np.int64)
    rows = union(np.nonzero(hard)[0], pin_s)
    if not hard.any():
        return must, np.zeros(0, dtype=np.int64), at
    pin_host = np.full(g.n, -1, dtype=np.int64)
    pin_host[pin_s] = pin_h
    pairs = np.concatenate([np.arange(g.indptr[r], g.indptr[r + 1]) for r in rows.tolist()])
    ps = g.row_of(pairs)
    pairs = pairs[(pin_host[ps] < 0) | (g.host[pairs] == pin_host[ps])]
    ps = g.row_of(pairs)
    pi, j = pair_slots(g, s_dates, ps, g.host[pairs].astype(np.int64))
    if not pi.size:
        return must, np.zeros(0, dtype=np.int64), at
    es = ps[pi]
    order = np.lexsort((j, es))
    es, ej, pp = es[order], j[order], pairs[pi][order]
    # weight: placing beats any order (B), then the earlier in the order
    ew = g.n - rank[es]
    b = g.n * (rows.size + 1)
    pinned = np.zeros(g.n, dtype=bool)
    pinned[pin_s] = True
    r, slot = _solve_component(unique(es), es, ej, ew, g.slot_cap, pinned, b, b + g.n + 1)
    seated = r[slot >= 0]
    must[seated[hard[seated]]] = True
    at[r] = slot
    extra = pp[(at[es] == ej) & must[es]]
    at[~must] = -1
    return must, extra, at


def best_of_equals(s: IntA, j: IntA, fixed: BoolA, rank: IntA, cap: IntA) -> BoolA:
    """Which of the pairs ``(s, j)`` (sorted by student, then slot) the fair ties' assignment
    needs.  Students outside ``fixed`` with the very same slots differ only in rank, so an
    optimum places a best-ranked prefix of them, at most as many as those slots seat: the
    rest can only be left out.  With ties everywhere and seats short that is most students,
    and an assignment with every row placeable is the fast one."""
    start = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    who, deg = s[start], np.diff(np.r_[start, s.size])
    salt = np.random.default_rng(0).integers(0, 2**63, size=(2, int(j.max()) + 1), dtype=np.uint64)
    h1, h2 = np.add.reduceat(salt[0][j], start), np.add.reduceat(salt[1][j], start)
    order = np.lexsort((rank[who], h2, h1, deg, fixed[who]))
    new = np.zeros(order.size, dtype=bool)
    new[0] = True
    for key in (fixed[who], deg, h1, h2):  # each in its own type: uint64 hashes stay exact
        ordered = key[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    at = np.arange(order.size)
    first = np.maximum.accumulate(np.where(new, at, 0))
    rep, position = np.empty_like(order), np.empty_like(order)
    rep[order], position[order] = order[first], at - first  # its best-ranked equal, its place
    # the hashes only group; equal slot lists are checked pair by pair
    owner = np.repeat(np.arange(who.size), deg)
    same = j == j[start[rep[owner]] + np.arange(s.size) - start[owner]]
    unequal = np.bincount(rep[owner][~same], minlength=who.size) > 0
    seats = np.add.reduceat(cap[j], start)
    keep = fixed[who] | unequal[rep] | (position < seats[rep])
    out: BoolA = keep[owner]
    return out


def break_ties(
    g: Graph,
    s_dates: BoolA,
    assigned: IntA,
    util: IntA,
    price: IntA,
    pairs: IntA,
    big_m: int,
    rank: IntA,
    stay: BoolA,
    pin_host: IntA,
) -> tuple[IntA, BoolA]:
    """Among all optimal placements, the one that places students highest in the fair-tie
    order; returns it and the unplaced students who were tied with a placed one.  ``pairs``:
    the pairs of reduced cost 0 at the certificate (util, price) besides the placed ones
    (``AssignInfo.tight``).

    With an optimal dual (u, p) the optimal placements are exactly those that use only pairs
    of reduced cost 0, place every student with u > 0 and fill every slot with p > 0
    (complementary slackness).  On the pairs of reduced cost 0 -- only the connected parts
    that reach an unplaced student -- one more exact assignment maximises
    A x (students with u > 0 placed + seats filled in slots with p > 0) + sum of (n - rank)
    over the placed, with A above any sum of the second term: its optimum keeps slackness,
    so it is optimal, and among those it is the best for the order (the students that can
    be placed together form a matroid, so the sum of any weights falling with the rank
    picks the order's best set).
    """
    n = g.n
    placed = assigned >= 0
    if placed.all():
        return assigned, np.zeros(n, dtype=bool)
    ps = g.row_of(pairs)
    pi, j = pair_slots(g, s_dates, ps, g.host[pairs].astype(np.int64))
    s = ps[pi]
    w = slot_weights(g, s, g.w[pairs][pi], j)
    u = np.where(placed, util + big_m, 0)
    tight = u[s] + price[j] == big_m + w
    # the placed pairs are tight by construction (util = w - price of the student's slot)
    mine = np.nonzero(placed)[0]
    s = np.concatenate((s[tight], mine))
    j = np.concatenate((j[tight], assigned[mine]))
    key = unique(s * g.n_slots + j)
    s, j = key // g.n_slots, key % g.n_slots
    keep = (pin_host[s] < 0) | (pin_host[s] == g.slot_host[j])  # a pin keeps its family
    s, j = s[keep], j[keep]
    lost = np.zeros(n, dtype=bool)
    lost[s[~placed[s]]] = True
    if not lost.any():
        return assigned, lost
    graph = sp.csr_matrix(
        (np.ones(s.size, dtype=np.int8), (s, n + j)), shape=(n + g.n_slots, n + g.n_slots)
    )
    _, label = connected_components(graph, directed=False)
    reach = np.zeros(label.max() + 1, dtype=bool)
    reach[label[np.nonzero(lost)[0]]] = True
    sel = reach[label[s]]
    s, j = s[sel], j[sel]  # still sorted by student, then slot
    rows = unique(s)
    kept = best_of_equals(s, j, (u > 0) | stay, rank, g.slot_cap)
    s, j = s[kept], j[kept]
    a = n * (n + 1) + 1
    weight = a * ((u[s] > 0).astype(np.int64) + (price[j] > 0)) + (n - rank[s])
    big = int(weight.max()) + 1
    r, slot = _solve_component(unique(s), s, j, weight, g.slot_cap, stay, 0, big)
    out = assigned.copy()
    out[rows] = -1  # those left out of the assignment above included
    out[r] = slot
    # tied: left out although an optimal placement with them exists (they are in this part)
    lost = np.zeros(n, dtype=bool)
    lost[rows] = True
    lost &= out < 0
    return out, lost
