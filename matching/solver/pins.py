"""Seating the coordinator's pins together: one maximum bipartite matching of the pinned
students onto the seats of their families, so a pin is refused only when the pins really do
not fit (not because an earlier pin took the day a later one needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from .encode import Encoded
from .types import PinError

IntA = npt.NDArray[Any]


def seat_pins(enc: Encoded, slot_of: IntA, slot_cap: IntA) -> IntA:
    """A slot for every pin (aligned with ``enc.pin_s``); PinError naming an unseatable pin.

    Rows are the pins, columns every seat of every slot of a pinned family; Hopcroft-Karp
    finds a seating of as many pins as possible, and any pin it leaves out is one that cannot
    be seated together with the others.
    """
    k = enc.pin_s.size
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    days = enc.s_dates[enc.pin_s] & (slot_of[enc.pin_h] >= 0)  # (k, D)
    pi, d = np.nonzero(days)
    j = slot_of[enc.pin_h[pi], d]
    slots, j_local = np.unique(j, return_inverse=True)
    caps = slot_cap[slots]
    base = np.concatenate(([0], np.cumsum(caps)[:-1]))
    rep = caps[j_local]
    rows = np.repeat(pi, rep)
    first = np.repeat(np.cumsum(rep) - rep, rep)
    cols = np.repeat(base[j_local], rep) + (np.arange(rows.size) - first)
    seat_slot = np.repeat(slots, caps)
    pattern = sp.csr_matrix(
        (np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(k, int(caps.sum()))
    )
    match = maximum_bipartite_matching(pattern, perm_type="column")
    missing = np.nonzero(match < 0)[0]
    if missing.size:
        p = int(missing[0])
        sk, hk = int(enc.s_key[enc.pin_s[p]]), int(enc.h_key[enc.pin_h[p]])
        others = int(np.count_nonzero(enc.pin_h == enc.pin_h[p])) - 1
        raise PinError(
            sk,
            hk,
            "capacity",
            f"the family has no seat left on the student's days for this pin "
            f"({others} other pinned student(s) with the same family)",
        )
    out: IntA = seat_slot[match]
    return out
