"""Sets of integers (pair, student and slot indices) as sorted arrays.

numpy 2.3 and later answer ``np.unique`` with a hash table, which on index arrays of many
distinct values is far slower than sorting them (see the README's performance notes); every
set operation of the solver goes through here instead."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

IntA = npt.NDArray[Any]


def unique(a: IntA) -> IntA:
    """The distinct values of ``a``, ascending."""
    out: IntA = np.sort(a, axis=None)
    if out.size > 1:
        keep = np.empty(out.size, dtype=bool)
        keep[0] = True
        np.not_equal(out[1:], out[:-1], out=keep[1:])
        out = out[keep]
    return out


def union(*arrays: IntA) -> IntA:
    """The distinct values of all ``arrays``, ascending."""
    return unique(np.concatenate(arrays))
