"""Named criteria, their weights, and the points of a (student, host) pair.

Every criterion has a raw value in [0, 1] for a feasible pair; its points are weight x raw, so
a criterion's weight is the most points it can give.  Only ``dates`` depends on the day of the
visit (the student's wish for it); without a day it is taken at the student's first choice,
the most any day of the pair can give.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .encode import TRAVEL_OVERHEAD_MIN, Encoded, IntA, travel_minutes
from .types import SolverInputError

FloatA = npt.NDArray[np.float64]

CRITERIA: tuple[str, ...] = (
    "language",
    "interests",
    "travel",
    "household",
    "dates",
    "fairness_student",
    "fairness_host",
    "reliability",
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "language": 30.0,
    "interests": 20.0,
    "travel": 20.0,
    "household": 5.0,
    "dates": 5.0,
    "fairness_student": 15.0,
    "fairness_host": 5.0,
    "reliability": 10.0,
}

# What each side cares about, for the stable mode and for counting blocking pairs.  Fairness is
# the association's goal for the round, not a wish of either party, so it counts for neither.
STUDENT_VIEW: tuple[str, ...] = ("language", "interests", "travel", "dates")
HOST_VIEW: tuple[str, ...] = ("language", "household", "interests")

# Weights are bounded so that integer scores, times the big-M of the assignment, stay exact in
# float64 (see the package docstring).
MAX_WEIGHT = 1000.0
INTEREST_CAP = 3  # three shared interests are plenty to fill a day


def resolve_weights(overrides: Mapping[str, float]) -> dict[str, float]:
    """Defaults overridden by the coordinator; unknown criterion or bad value -> ValueError."""
    out = dict(DEFAULT_WEIGHTS)
    for name, value in overrides.items():
        if name not in DEFAULT_WEIGHTS:
            raise SolverInputError(
                f"weights: unknown criterion {name!r} (known: {', '.join(CRITERIA)})"
            )
        v = float(value)
        if not np.isfinite(v) or v < 0:
            raise SolverInputError(f"weights[{name!r}]: must be a number >= 0, got {value!r}")
        if v > MAX_WEIGHT:
            raise SolverInputError(f"weights[{name!r}]: must be <= {MAX_WEIGHT:g}, got {value!r}")
        out[name] = v
    return out


def _count(bits: npt.NDArray[np.uint64]) -> IntA:
    out: IntA = np.bitwise_count(bits).sum(axis=-1, dtype=np.int64)
    return out


def raw_criteria(enc: Encoded, si: IntA, hi: IntA, di: IntA | None = None) -> dict[str, FloatA]:
    """Raw value in [0, 1] of every criterion, broadcasting ``si``, ``hi`` and the visit's day
    ``di`` (None: the student's first choice)."""
    # Best shared level: level >= k is shared iff the bitsets of level k intersect.
    best = np.zeros(np.broadcast(si, hi).shape, dtype=np.float64)
    for sk, hk in zip(enc.s_lang, enc.h_lang, strict=True):
        best += (sk[si] & hk[hi]).any(axis=-1)
    # Practice only helps a student who has some Japanese to practise (and is not native).
    practice = enc.h_ja[hi] & enc.s_ja[si] & ~enc.s_ja_native[si]
    language = 0.7 * best / 4.0 + 0.3 * practice

    shared = _count(enc.s_int[si] & enc.h_int[hi])
    interests = np.minimum(shared, INTEREST_CAP) / INTEREST_CAP

    t = travel_minutes(enc.s_lat[si], enc.s_lon[si], enc.h_lat[hi], enc.h_lon[hi])
    span = np.maximum(enc.s_max_travel[si] - TRAVEL_OVERHEAD_MIN, 1.0)
    travel = np.clip((enc.s_max_travel[si] - t) / span, 0.0, 1.0)

    shape = np.broadcast(si, hi).shape
    household = household_raw(enc.s_kids[si], enc.h_children[hi])
    # The student's wish for the visit's day: first choice 1, then evenly less, a day not
    # ranked 0; a student who ranked no day gets 1 on any day.
    dates = (
        np.ones(shape, dtype=np.float64)
        if di is None
        else np.broadcast_to(enc.s_date_pref[si, di], shape)
    )
    return {
        "language": language,
        "interests": interests,
        "travel": travel,
        "household": household,
        "dates": dates,
        "fairness_student": np.broadcast_to(fairness_student_raw(enc.s_unplaced[si]), shape),
        "fairness_host": np.broadcast_to(
            fairness_host_raw(enc.h_hosted[hi], enc.h_unplaced[hi]), shape
        ),
        "reliability": np.broadcast_to(reliability_raw(enc.s_faults[si], enc.h_faults[hi]), shape),
    }


def household_raw(kids: npt.NDArray[np.bool_], children: npt.NDArray[np.bool_]) -> FloatA:
    """A family with children and a student who likes children.  The household's size earns
    nothing: a person living alone hosts as well as a big family."""
    out: FloatA = (kids & children).astype(np.float64)
    return out


def fairness_student_raw(times_unplaced: IntA) -> FloatA:
    """Left out in earlier rounds of the programme: up to three rounds count."""
    return np.minimum(times_unplaced, 3) / 3.0


def fairness_host_raw(times_hosted: IntA, times_unplaced: IntA) -> FloatA:
    """Families that hosted less, or were left without a guest before, come first."""
    return 0.5 / (1.0 + times_hosted) + 0.5 * np.minimum(times_unplaced, 3) / 3.0


def reliability_raw(no_shows: IntA, late_cancellations: IntA) -> FloatA:
    """Half for each side: 1 / (1 + its faults in earlier visits), so a first fault halves it."""
    return 0.5 / (1.0 + no_shows) + 0.5 / (1.0 + late_cancellations)


def quantised_points(
    enc: Encoded,
    weights: Mapping[str, float],
    si: IntA,
    hi: IntA,
    quantum: float,
    di: IntA | None = None,
) -> dict[str, IntA]:
    """Points of each criterion as integers in units of ``quantum`` points (on day ``di``)."""
    raw = raw_criteria(enc, si, hi, di)
    return {c: np.rint(raw[c] * (weights[c] / quantum)).astype(np.int64) for c in CRITERIA}
