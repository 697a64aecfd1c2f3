"""What goes in and out of the language-exchange solver: applicants, problem, result, the
criteria and their default weights, and the names of the hard rules (see the package docstring).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from matching.solver.types import LEVELS

Bool = npt.NDArray[np.bool_]
Float = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
Int = npt.NDArray[np.int64]

LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
Format = Literal["online", "in_person", "either"]
GenderPreference = Literal["any", "female", "male"]
FORMATS: tuple[str, ...] = ("online", "in_person", "either")

EXCHANGE_CRITERIA: tuple[str, ...] = (
    "level_fit",
    "shared_interests",
    "time_overlap",
    "travel",
    "fairness",
)
EXCHANGE_DEFAULT_WEIGHTS: dict[str, float] = {
    "level_fit": 35.0,
    "shared_interests": 20.0,
    "time_overlap": 20.0,
    "travel": 10.0,
    "fairness": 15.0,
}

# Reason codes, in the order the rules are checked: the first rule that leaves an applicant
# without any candidate is the reason given.
REASON_TEXT: dict[str, str] = {
    "no_language_match": "Nobody teaches a language they learn while learning one they teach.",
    "format_incompatible": "The language partners want another format (online / in person).",
    "travel_too_far": "The in-person language partners live beyond the travel time limits.",
    "no_shared_time_slot": "No language partner shares a weekly time slot.",
    "gender_preference": "No remaining partner meets the gender preferences of both sides.",
    "forbidden": "The only possible partners were declined before or forbidden.",
    "partners_taken": "Every possible partner was paired with someone else.",
}
RULE_ORDER: tuple[str, ...] = (
    "no_language_match",
    "format_incompatible",
    "travel_too_far",
    "no_shared_time_slot",
    "gender_preference",
    "forbidden",
)


@dataclass(frozen=True)
class ExchangeApplicant:
    key: int
    teaches: Mapping[str, str]  # language code -> the applicant's level in it
    learns: Mapping[str, str]  # language code -> the applicant's current level
    format: Format
    lat: float | None
    lon: float | None
    max_travel_minutes: int | None
    time_slots: tuple[str, ...]
    gender: str
    gender_preference: GenderPreference = "any"
    interests: tuple[str, ...] = ()
    times_unplaced: int = 0


@dataclass(frozen=True)
class ExchangeProblem:
    applicants: Sequence[ExchangeApplicant]
    weights: Mapping[str, float] = field(default_factory=dict)
    # Unordered pairs of keys that may not pair, with why (e.g. "declined", "coordinator").
    forbidden: Mapping[tuple[int, int], str] = field(default_factory=dict)
    # Pairs the coordinator fixed: kept as they are (each must be feasible), the rest is solved.
    pins: Sequence[tuple[int, int]] = ()


class ExchangePinError(ValueError):
    """A pin names an unknown applicant, repeats one, or breaks a rule (named in the message)."""


class ExchangePair(NamedTuple):
    a: int  # the lower key
    b: int
    score: float
    breakdown: dict[str, float]  # criterion -> points
    directions: list[tuple[int, int, str]]  # (teacher key, learner key, language code)


class Reason(NamedTuple):
    key: int
    reasons: list[dict[str, Any]]  # [{code, params, text}]


@dataclass(frozen=True)
class ExchangeResult:
    pairs: list[ExchangePair]
    unplaced: list[Reason]
    stats: dict[str, Any]
    # (a, b) -> "online" | "in_person": how each pair meets.
    meetings: dict[tuple[int, int], str]


def resolve_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Defaults overridden by ``weights``; unknown criteria and negative or non-finite weights
    are refused, since a negative weight would break the cardinality-first objective."""
    unknown = sorted(set(weights) - set(EXCHANGE_CRITERIA))
    if unknown:
        raise ValueError(f"unknown criteria: {', '.join(unknown)}")
    merged = dict(EXCHANGE_DEFAULT_WEIGHTS)
    for name, value in weights.items():
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"weight of {name} must be a finite number >= 0")
        merged[name] = number
    return merged
