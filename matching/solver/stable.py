"""Students-proposing deferred acceptance over (family, day) slots with seat capacities: the
solver's ``stable`` mode (see the package docstring for the model)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .graph import Graph, pair_slots

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]


def assign_stable(
    g: Graph,
    s_dates: BoolA,
    pin_s: IntA,
    pin_slot: IntA,
    student_view: IntA,
    host_view: IntA,
) -> IntA:
    """Students-proposing deferred acceptance over (family, day) slots with seat capacities.

    ``student_view`` / ``host_view`` are per pair (aligned with ``g.host``).  A student ranks
    slots by its view (ties: lower slot index, i.e. the earlier day, then the lower host row);
    a slot ranks students by the family's view (ties: the lower student row).  Pinned students
    sit in ``pin_slot`` (``pins.seat_pins``: all pins together) and do not propose.
    """
    n = g.n
    cap = g.slot_cap.copy()
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[pin_s] = pin_slot
    np.subtract.at(cap, pin_slot, 1)
    pinned = assigned >= 0

    # Every student's slots in its order of preference, as one flat array per block of students.
    pi, j = pair_slots(g, s_dates, g.rows(), g.host.astype(np.int64))
    s = g.row_of(pi)
    keep = ~pinned[s]
    pi, j, s = pi[keep], j[keep], s[keep]
    order = np.lexsort((j, -student_view[pi], s))
    e_j = j[order]
    e_hv = host_view[pi[order]].astype(np.int64)
    e_s = s[order]
    start = np.searchsorted(e_s, np.arange(n + 1))
    ptr = start[:-1].copy()
    end = start[1:]
    del pi, j, s, order, e_s

    held_s = np.zeros(0, dtype=np.int64)
    held_j = np.zeros(0, dtype=np.int64)
    held_hv = np.zeros(0, dtype=np.int64)
    free = np.nonzero(~pinned & (ptr < end))[0]
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
        o = np.lexsort((cs, -chv, cj))
        cs, cj, chv = cs[o], cj[o], chv[o]
        first = np.searchsorted(cj, cj, side="left")
        rank = np.arange(cj.size) - first
        ok = rank < cap[cj]
        held_s = np.concatenate((held_s[stay], cs[ok]))
        held_j = np.concatenate((held_j[stay], cj[ok]))
        held_hv = np.concatenate((held_hv[stay], chv[ok]))
        rejected = cs[~ok]
        free = rejected[ptr[rejected] < end[rejected]]
    assigned[held_s] = held_j
    return assigned
