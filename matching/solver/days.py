"""The day of each visit: a placed student moves to a better-ranked day with the same family
when that day still has a seat.

A pair's score counts the best day it shares (``score``, criterion ``dates``), so any of the
pair's days is worth the same to the assignment; this pass then sets the visit on the
student's preferred one.  It keeps every student with the same family and only fills free
seats, so placements, the total score and the seat counts do not change.  The optimal mode
only: in the stable mode the seat a student leaves could start a blocking pair.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .encode import Encoded
from .graph import Graph

IntA = npt.NDArray[Any]


def prefer_ranked_days(g: Graph, enc: Encoded, assigned: IntA) -> IntA:
    """``assigned`` (slot per student row, -1 unplaced) with students moved to better days."""
    out = assigned.copy()
    ranked = np.nonzero((out >= 0) & enc.s_date_ranked)[0]
    if ranked.size == 0:
        return out
    free = g.slot_cap - np.bincount(out[out >= 0], minlength=g.n_slots)
    for _ in range(enc.n_dates):  # each pass moves a student at least one rank up, or stops
        s = ranked
        j = out[s]
        host, day = g.slot_host[j], g.slot_date[j]
        alt = g.slot_of[host]  # (k, D) the same family's slot on each day
        pref = enc.s_date_pref[s]
        ok = (alt >= 0) & enc.s_dates[s] & (pref > pref[np.arange(s.size), day][:, None])
        ok &= free[np.maximum(alt, 0)] > 0
        movable = ok.any(axis=1)
        if not movable.any():
            break
        best_day = np.where(ok, pref, -1.0).argmax(axis=1)[movable]
        s, j = s[movable], j[movable]
        target = alt[movable, best_day]
        # several students may want the last seats of one slot: the lower rows go first
        order = np.lexsort((s, target))
        s, j, target = s[order], j[order], target[order]
        first = np.searchsorted(target, target, side="left")
        go = np.arange(target.size) - first < free[target]
        np.add.at(free, j[go], 1)
        np.add.at(free, target[go], -1)
        out[s[go]] = target[go]
    return out
