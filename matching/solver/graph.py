"""The feasibility graph: every feasible (student, host) pair with its integer score, as CSR.

A pair's score is taken on the student's first-choice day, the most any of its days can give;
a visit on another day gives up ``day_loss`` (the ``dates`` criterion), so every (student,
slot) edge is worth ``slot_weights`` and the assignment chooses the day as well as the family.

Built block by block (``BLOCK`` students x all hosts at a time) so that peak memory stays at a
few hundred MB for 10 000 x 5 500 pairs; the pairs that survive all hard rules are kept sparse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import tables
from .arrays import union
from .score import CRITERIA
from .tables import Tables

IntA = npt.NDArray[Any]
BLOCK = 1024
TOP = 64  # pairs per student kept sorted at the head of its row


@dataclass
class Graph:
    n: int
    m: int
    n_dates: int
    indptr: IntA  # (n + 1,) int64: pairs of student s are indptr[s]:indptr[s + 1]
    n_top: IntA  # (n,) how many pairs at the start of each row are sorted best first
    host: IntA  # (P,) int32 host row of each pair
    w: IntA  # (P,) int32 score in quanta, on the student's first-choice day
    slot_of: IntA  # (m, D) int64 slot index of (host, date), -1 when no free seat that day
    slot_host: IntA  # (J,) int64
    slot_date: IntA  # (J,) int64
    slot_cap: IntA  # (J,) int64 free seats
    cand: IntA  # pair indices of the first restricted problem: each student's K best families
    # and each family's L best students
    day_loss: IntA  # (n, D) int64 what row s gives up, in quanta, on day d (>= 0)

    @property
    def n_slots(self) -> int:
        return int(self.slot_host.size)

    def rows(self, lo: int = 0, hi: int | None = None) -> IntA:
        """Student row of each pair of students lo..hi-1 (int64)."""
        hi = self.n if hi is None else hi
        return np.repeat(np.arange(lo, hi, dtype=np.int64), np.diff(self.indptr[lo : hi + 1]))

    def row_of(self, p: IntA) -> IntA:
        """Student row of the pairs with indices ``p``."""
        return np.searchsorted(self.indptr, p, side="right").astype(np.int64) - 1


def build_graph(
    t: Tables, k_best: int, l_best: int = 0, criteria: tuple[str, ...] = CRITERIA
) -> Graph:
    """Scan all students x hosts in blocks; keep the feasible pairs, best first per student.

    A student's row starts with its ``TOP`` best pairs sorted by score, highest first (ties:
    the hosts from row ``s * m // n`` on, cyclically); the rest of the row follows in host
    order.  "The K best families" is a prefix, and the pricing pass bisects the sorted head
    instead of reading whole rows.
    """
    enc = t.enc
    n, m, n_dates = enc.n, enc.m, enc.n_dates
    has_seat = enc.h_seats > 0  # (m, D)
    slot_date, slot_host = np.nonzero(has_seat.T)  # slots ordered by date, then host
    slot_of = np.full((m, n_dates), -1, dtype=np.int64)
    slot_of[slot_host, slot_date] = np.arange(slot_host.size)
    slot_cap = enc.h_seats[slot_host, slot_date].astype(np.int64)

    hosts = np.arange(m, dtype=np.int64)[None, :]
    # A pair needs a day the student can come and the family still has a seat: with few
    # programme dates, a table over (student dates, family dates) patterns, taken per block.
    day_tab: npt.NDArray[np.bool_] | None = None
    if 0 < n_dates <= 8:
        bit = 1 << np.arange(n_dates, dtype=np.int64)
        s_pat = enc.s_dates.astype(np.int64) @ bit
        h_pat = has_seat.astype(np.int64) @ bit
        pats = np.arange(1 << n_dates, dtype=np.int64)
        day_tab = (pats[:, None] & pats[None, :]) != 0
    spread = np.arange(n, dtype=np.int64) * m // max(n, 1)
    # a head key is -score * m + rotation: int32 when that fits (half the memory to sort)
    w_bound = int(sum(t.weights.values()) / t.quantum) + 2
    key_type = np.int32 if w_bound * (m + 1) < 2**31 else np.int64
    # row k of rings: the hosts numbered from host m - k on, cyclically (a view, no copy)
    rings = np.lib.stride_tricks.sliding_window_view(np.tile(np.arange(m, dtype=key_type), 2), m)
    h_spread = np.arange(m, dtype=np.int64) * n // max(m, 1)
    # running best l_best students per family, (m, L): key (int32 when it fits) and pair
    fam_type = np.int32 if w_bound * (n + 1) < 2**31 else np.int64
    fam_key = np.zeros((m, 0), dtype=fam_type)
    fam_pair = np.zeros((m, 0), dtype=np.int64)
    n_pairs = 0
    counts = np.zeros(n, dtype=np.int64)
    n_top = np.zeros(n, dtype=np.int64)
    host_parts: list[IntA] = []
    w_parts: list[IntA] = []
    top = min(TOP, m)
    for start in range(0, n, BLOCK):
        rows = np.arange(start, min(start + BLOCK, n), dtype=np.int64)
        ok = tables.feasible(t, rows[:, None], hosts)
        if day_tab is not None:
            ok &= np.take(day_tab[s_pat[rows]], h_pat, axis=1)
        else:
            day = np.zeros_like(ok)
            for d in range(n_dates):
                day |= enc.s_dates[rows, d][:, None] & has_seat[None, :, d]
            ok &= day
        # ascending order = best first; infeasible cells last (in place: no second block)
        neg = tables.total(t, rows[:, None], hosts, criteria)
        np.negative(neg, out=neg)
        np.copyto(neg, 1, where=~ok)
        # The head: the best `top` hosts of each row, sorted.  Ties go to the hosts from the
        # student's own offset on (a rotation spread evenly over the rows), so students with
        # equal scores do not all start from the same lowest-numbered families.
        key: IntA = neg.astype(key_type)
        key *= m
        key += rings[m - spread[rows]]  # (host - offset) mod m for each row
        head = np.argpartition(key, top - 1, axis=1)[:, :top] if top else neg[:, :0]
        head_key = np.take_along_axis(key, head, axis=1)
        del key
        o = np.argsort(head_key, axis=1)
        head = np.take_along_axis(head, o, axis=1)
        keep = np.take_along_axis(neg, head, axis=1) <= 0
        hr = np.broadcast_to(np.arange(rows.size)[:, None], head.shape)[keep]
        np.put_along_axis(ok, head, False, axis=1)  # the rest of the row: feasible, not head
        rr, rc = np.nonzero(ok)
        # one row after the other, head before the rest (a stable sort on the row only)
        all_r = np.concatenate((hr, rr))
        order = np.argsort(
            all_r.astype(np.uint16 if rows.size <= 65535 else np.int64), kind="stable"
        )
        cols = np.concatenate((head[keep], rc))[order]
        if l_best > 0:
            fam_key, fam_pair = _family_best(
                neg, rows, h_spread, n, l_best, all_r[order], cols, n_pairs, fam_key, fam_pair
            )
        n_pairs += cols.size
        host_parts.append(cols.astype(np.int32))
        w_parts.append(-neg.ravel()[all_r[order] * m + cols])
        counts[rows] = np.bincount(all_r, minlength=rows.size)
        n_top[rows] = keep.sum(axis=1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    empty = np.zeros(0, dtype=np.int64)
    k = np.minimum(n_top, max(k_best, 0))
    cand = np.repeat(indptr[:-1], k) + (np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k))
    fam = fam_pair[fam_pair >= 0]
    cand = union(cand, fam)
    return Graph(
        n=n,
        m=m,
        n_dates=n_dates,
        indptr=indptr,
        n_top=n_top,
        host=np.concatenate(host_parts) if host_parts else empty.astype(np.int32),
        w=np.concatenate(w_parts) if w_parts else empty.astype(np.int32),
        slot_of=slot_of,
        slot_host=slot_host.astype(np.int64),
        slot_date=slot_date.astype(np.int64),
        slot_cap=slot_cap,
        cand=cand.astype(np.int64),
        day_loss=t.day_loss if "dates" in criteria else np.zeros((n, n_dates), dtype=np.int64),
    )


def _family_best(
    neg: IntA,
    rows: IntA,
    h_spread: IntA,
    n: int,
    l_best: int,
    pair_row: IntA,
    pair_col: IntA,
    base: int,
    fam_key: IntA,
    fam_pair: IntA,
) -> tuple[IntA, IntA]:
    """Merge a block's best ``l_best`` students per family into the running best.

    ``neg`` is the block's negated score (1 where infeasible) for the consecutive ``rows``; a
    pair's key is its negated score, then the student's distance from the family's offset
    (ties spread over the rows).  Families are rows here (the block transposed: each family's
    students lie together).  Returns the new running keys and global pair indices, (m, L),
    -1: no feasible pair.
    """
    r, m = neg.shape
    key_type = fam_key.dtype
    key = neg.T.astype(key_type)
    key *= n
    # (row - offset) mod n for each family: windows of the numbers 0..n-1 repeated twice
    ring = np.lib.stride_tricks.sliding_window_view(np.tile(np.arange(n, dtype=key_type), 2), r)
    key += ring[(int(rows[0]) - h_spread) % n]
    if fam_key.shape[1] == l_best:
        # only a feasible key (below n) under a family's worst so far can enter: few, once
        # the first block is in
        fam, idx = np.nonzero(key < np.minimum(fam_key.max(axis=1), n)[:, None])
    else:
        take = min(l_best, r)
        idx = np.argpartition(key, take - 1, axis=1)[:, :take].ravel()
        fam = np.repeat(np.arange(m), take)
    ok = neg[idx, fam] <= 0
    # global pair index of (block row, host): a position map of the block's pairs
    pos = np.full((r, m), -1, dtype=np.int32)
    pos[pair_row, pair_col] = np.arange(pair_col.size, dtype=np.int32)
    b_key = np.where(ok, key[fam, idx], np.iinfo(key_type).max)
    b_pair = np.where(ok, base + pos[idx, fam], -1)
    # the running best and the block's candidates, the l_best smallest keys of each family
    all_fam = np.concatenate((np.repeat(np.arange(m), fam_key.shape[1]), fam))
    all_key = np.concatenate((fam_key.ravel(), b_key))
    all_pair = np.concatenate((fam_pair.ravel(), b_pair))
    order = np.lexsort((all_key, all_fam))
    all_fam, all_key, all_pair = all_fam[order], all_key[order], all_pair[order]
    rank = np.arange(all_fam.size) - np.searchsorted(all_fam, all_fam)
    keep = rank < l_best
    count = min(l_best, int(np.bincount(all_fam[keep], minlength=m).min()) if m else 0)
    out_key = np.full((m, count), np.iinfo(key_type).max, dtype=key_type)
    out_pair = np.full((m, count), -1, dtype=np.int64)
    sel = keep & (rank < count)
    out_key[all_fam[sel], rank[sel]] = all_key[sel]
    out_pair[all_fam[sel], rank[sel]] = all_pair[sel]
    return out_key, out_pair


def slot_weights(g: Graph, s: IntA, w: IntA, j: IntA) -> IntA:
    """The worth (int64 quanta) of placing student row ``s`` in slot ``j``, from its pair's
    score ``w``: what the slot's day gives up against the student's first choice comes off."""
    out: IntA = w.astype(np.int64) - g.day_loss[s, g.slot_date[j]]
    return out


def pair_slots(g: Graph, dates: npt.NDArray[np.bool_], s: IntA, h: IntA) -> tuple[IntA, IntA]:
    """Expand (student, host) pairs into (pair index, slot) for every day that works for both."""
    pi: list[IntA] = []
    sj: list[IntA] = []
    idx = np.arange(s.size, dtype=np.int64)
    for d in range(g.n_dates):
        j = g.slot_of[h, d]
        ok = (j >= 0) & dates[s, d]
        pi.append(idx[ok])
        sj.append(j[ok])
    return np.concatenate(pi), np.concatenate(sj)
