"""Students-proposing deferred acceptance over (family, day) slots with seat capacities: the
solver's ``stable`` mode (see the package docstring for the model)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import tables
from .graph import Graph, pair_slots, slot_weights
from .score import HOST_VIEW
from .tables import Tables

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]


def _lists(
    t: Tables, g: Graph, s_dates: BoolA, students: IntA, stop: IntA
) -> tuple[IntA, IntA, IntA]:
    """Preference lists of ``students`` over the pairs indptr[s]:stop[s] of their rows, as
    flat (student, slot, family's view) arrays grouped by student in the student's order: its
    view of the slot (``slot_weights``), highest first; ties: the pair's place in the row, then
    the earlier day.  While a row is read only in part, a slot worth less than the last pair
    read waits: the pairs not read yet could be worth as much, and a list only grows at its
    end."""
    start = g.indptr[students]
    length = stop[students] - start
    total = int(length.sum())
    first = np.repeat(np.cumsum(length) - length, length)
    p = np.repeat(start, length) + (np.arange(total) - first)
    s = np.repeat(students, length)
    h = g.host[p].astype(np.int64)
    pi, j = pair_slots(g, s_dates, s, h)
    sw = slot_weights(g, s[pi], g.w[p[pi]], j)
    partial = stop[s[pi]] < g.indptr[s[pi] + 1]
    keep = ~partial | (sw >= g.w[np.maximum(stop[s[pi]] - 1, 0)])
    pi, j, sw = pi[keep], j[keep], sw[keep]
    order = np.lexsort((j, p[pi], -sw, s[pi]))
    pi, j = pi[order], j[order]
    hv = tables.total(t, s[pi], h[pi], HOST_VIEW)
    return s[pi], j, hv


def assign_stable(
    t: Tables, g: Graph, s_dates: BoolA, pin_s: IntA, pin_slot: IntA, tie: IntA
) -> IntA:
    """Students-proposing deferred acceptance over (family, day) slots with seat capacities.

    ``g`` was built with the student's view as its score, so each row starts with the
    student's best families in order (``graph.TOP``).  Preference lists are those heads;
    only a student turned down by its whole head has the rest of its row sorted onto its
    list, and proposing goes on from where it stopped (the lists only grow at the end, so
    every student's place in its list carries over): the proposals are exactly those of
    deferred acceptance on the full lists.  A slot ranks students by the family's view
    (ties: ``tie``, lower first).  Pinned students sit in ``pin_slot`` (``pins.seat_pins``:
    all pins together) and do not propose.
    """
    n = g.n
    cap = g.slot_cap.copy()
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[pin_s] = pin_slot
    np.subtract.at(cap, pin_slot, 1)
    movers = np.nonzero(assigned < 0)[0]
    stop = g.indptr[:-1] + g.n_top  # how far each list reaches into its row
    consumed = np.zeros(n, dtype=np.int64)

    held_s = np.zeros(0, dtype=np.int64)
    held_j = np.zeros(0, dtype=np.int64)
    held_hv = np.zeros(0, dtype=np.int64)
    while True:
        e_s, e_j, e_hv = _lists(t, g, s_dates, movers, stop)
        begin = np.searchsorted(e_s, np.arange(n + 1))
        ptr = begin[:-1] + consumed
        end = begin[1:]
        is_held = np.zeros(n, dtype=bool)
        is_held[held_s] = True
        free = movers[~is_held[movers] & (ptr[movers] < end[movers])]
        while free.size:
            prop_j = e_j[ptr[free]]
            phv = e_hv[ptr[free]]
            ptr[free] += 1
            touched = np.zeros(g.n_slots, dtype=bool)
            touched[prop_j] = True
            stay = ~touched[held_j]
            cs = np.concatenate((held_s[~stay], free))
            cj = np.concatenate((held_j[~stay], prop_j))
            chv = np.concatenate((held_hv[~stay], phv))
            o = np.lexsort((tie[cs], -chv, cj))
            cs, cj, chv = cs[o], cj[o], chv[o]
            rank = np.arange(cj.size) - np.searchsorted(cj, cj, side="left")
            ok = rank < cap[cj]
            held_s = np.concatenate((held_s[stay], cs[ok]))
            held_j = np.concatenate((held_j[stay], cj[ok]))
            held_hv = np.concatenate((held_hv[stay], chv[ok]))
            rejected = cs[~ok]
            free = rejected[ptr[rejected] < end[rejected]]
        consumed = ptr - begin[:-1]
        is_held = np.zeros(n, dtype=bool)
        is_held[held_s] = True
        grow = movers[~is_held[movers] & (stop[movers] < g.indptr[1:][movers])]
        if not grow.size:
            break
        stop[grow] = g.indptr[1:][grow]  # the rest of their row joins their lists
    assigned[held_s] = held_j
    return assigned
