"""Applicants to arrays, then every pair at once: the cumulative masks of the hard rules and
the value of each criterion (numpy broadcasting; the only loops run over languages and words)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.solver.encode import travel_minutes as station_minutes
from matching.solver.exchange.model import (
    EXCHANGE_CRITERIA,
    F32,
    FORMATS,
    LEVEL_RANK,
    Bool,
    ExchangeApplicant,
    ExchangeProblem,
    Float,
    Int,
    resolve_weights,
)
from matching.solver.types import GENDER_PREFERENCES


@dataclass(frozen=True)
class Encoded:
    keys: Int
    languages: tuple[str, ...]
    teach: npt.NDArray[np.int8]  # n x L: level rank taught, -1 if not taught
    learn: npt.NDArray[np.int8]  # n x L: level rank of a learner, -1 if not learned
    fmt: npt.NDArray[np.int8]  # index into FORMATS
    lat: Float  # NaN when unknown
    lon: Float
    limit: Float  # NaN when unknown
    slots: npt.NDArray[np.uint64]  # n x words bitset
    interests: npt.NDArray[np.uint64]
    gender: npt.NDArray[np.int8]  # 0 female, 1 male, 2 other / unspecified
    pref: npt.NDArray[np.int8]  # index into GENDER_PREFERENCES
    unplaced: Float


def _bitsets(items: Sequence[tuple[str, ...]]) -> npt.NDArray[np.uint64]:
    vocabulary = {name: i for i, name in enumerate(sorted({x for row in items for x in row}))}
    words = max(1, -(-len(vocabulary) // 64))
    out = np.zeros((len(items), words), dtype=np.uint64)
    for row, names in enumerate(items):
        for name in set(names):
            bit = vocabulary[name]
            out[row, bit // 64] |= np.uint64(1) << np.uint64(bit % 64)
    return out


def encode(applicants: Sequence[ExchangeApplicant]) -> Encoded:
    """Arrays of the applicants sorted by key (so the input order never changes the answer)."""
    people = sorted(applicants, key=lambda p: p.key)
    keys = [p.key for p in people]
    if len(set(keys)) != len(keys):
        raise ValueError("applicant keys must be unique")
    for p in people:
        if p.format not in FORMATS:
            raise ValueError(f"applicant {p.key}: unknown format {p.format!r}")
        if p.gender_preference not in GENDER_PREFERENCES:
            raise ValueError(f"applicant {p.key}: unknown gender preference")
        for level in (*p.teaches.values(), *p.learns.values()):
            if level not in LEVEL_RANK:
                raise ValueError(f"applicant {p.key}: unknown level {level!r}")
    languages = tuple(sorted({c for p in people for c in (*p.teaches, *p.learns)}))
    column = {code: i for i, code in enumerate(languages)}
    n, n_lang = len(people), len(languages)
    teach = np.full((n, n_lang), -1, dtype=np.int8)
    learn = np.full((n, n_lang), -1, dtype=np.int8)
    for row, p in enumerate(people):
        for code, level in p.teaches.items():
            teach[row, column[code]] = LEVEL_RANK[level]
        for code, level in p.learns.items():
            learn[row, column[code]] = LEVEL_RANK[level]

    def optional(values: list[float | int | None]) -> Float:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)

    gender_code = {"female": 0, "male": 1}
    return Encoded(
        keys=np.array(keys, dtype=np.int64),
        languages=languages,
        teach=teach,
        learn=learn,
        fmt=np.array([FORMATS.index(p.format) for p in people], dtype=np.int8),
        lat=optional([p.lat for p in people]),
        lon=optional([p.lon for p in people]),
        limit=optional([p.max_travel_minutes for p in people]),
        slots=_bitsets([p.time_slots for p in people]),
        interests=_bitsets([p.interests for p in people]),
        gender=np.array([gender_code.get(p.gender, 2) for p in people], dtype=np.int8),
        pref=np.array(
            [GENDER_PREFERENCES.index(p.gender_preference) for p in people], dtype=np.int8
        ),
        unplaced=np.array([max(0, p.times_unplaced) for p in people], dtype=np.float64),
    )


def travel_minutes(lat: Float, lon: Float) -> F32:
    """n x n estimated travel minutes between home stations (NaN when a station is unknown):
    the home-visit solver's estimate, so a station pair costs the same minutes in both
    programmes.  Single precision: minutes are compared with whole-minute limits."""
    phi, lam = np.radians(lat).astype(np.float32), np.radians(lon).astype(np.float32)
    minutes: F32 = np.asarray(
        station_minutes(phi[:, None], lam[:, None], phi[None, :], lam[None, :]), dtype=np.float32
    )
    np.fill_diagonal(minutes, 0.0)
    return minutes


def _shared_bits(bits: npt.NDArray[np.uint64]) -> npt.NDArray[np.int16]:
    """n x n count of common set bits, one 64-bit word at a time."""
    n, words = bits.shape
    out = np.zeros((n, n), dtype=np.int16)
    for w in range(words):
        out += np.bitwise_count(bits[:, w][:, None] & bits[:, w][None, :])
    return out


# --------------------------------------------------------------------------------------------
# Feasibility and scores


@dataclass(frozen=True)
class Arrays:
    """Everything measured over all pairs at once; ``stages`` are the cumulative masks of the
    rules in ``RULE_ORDER`` (the last one is the feasibility mask)."""

    enc: Encoded
    stages: tuple[Bool, ...]
    in_person: Bool
    values: dict[str, F32]  # criterion -> n x n value in [0, 1]
    weights: dict[str, float]
    score: Float

    @property
    def feasible(self) -> Bool:
        return self.stages[-1]


# FIT[t, l]: the share of the way to native that a teacher of rank t covers for a learner of
# rank l (0 when the teacher is not above the learner).
_FIT = np.array(
    [[max(0.0, (t - le) / (3 - le)) if le < 3 else 0.0 for le in range(4)] for t in range(4)],
    dtype=np.float32,
)


def _directed_teaching(enc: Encoded) -> tuple[Bool, F32]:
    """[a, b]: does a teach b some language b learns, above b's level; and the best fit."""
    n = len(enc.keys)
    teaches = np.zeros((n, n), dtype=bool)
    fit = np.zeros((n, n), dtype=np.float32)
    # One block per language (its teachers x its learners), never a loop over pairs.
    for col in range(len(enc.languages)):
        teachers = np.flatnonzero(enc.teach[:, col] >= 0)
        learners = np.flatnonzero(enc.learn[:, col] >= 0)
        if not len(teachers) or not len(learners):
            continue
        block = _FIT[enc.teach[teachers, col][:, None], enc.learn[learners, col][None, :]]
        sub = np.ix_(teachers, learners)
        teaches[sub] |= block > 0
        fit[sub] = np.maximum(fit[sub], block)
    return teaches, fit


def _values(
    enc: Encoded, fit: F32, shared_slots: npt.NDArray[np.int16], in_person: Bool, minutes: F32
) -> dict[str, F32]:
    """criterion -> n x n value in [0, 1] (single precision: a score is a sum of five)."""
    one = np.float32(1.0)
    shared_interests = _shared_bits(enc.interests).astype(np.float32)
    interest_counts = np.diag(shared_interests).copy()
    union = interest_counts[:, None] + interest_counts[None, :] - shared_interests
    slot_counts = np.diag(shared_slots).astype(np.float32)
    smaller = np.minimum(slot_counts[:, None], slot_counts[None, :])
    limit = enc.limit.astype(np.float32)
    shorter = np.maximum(np.fmin(limit[:, None], limit[None, :]), one)
    unplaced = np.minimum(enc.unplaced, 3.0).astype(np.float32) / np.float32(6.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        travel = np.where(in_person, np.clip(one - minutes / shorter, 0.0, 1.0), np.float32(0.5))
        return {
            "level_fit": (fit + fit.T) * np.float32(0.5),
            "shared_interests": np.where(
                union > 0, shared_interests / np.maximum(union, one), np.float32(0.0)
            ),
            "time_overlap": np.where(
                smaller > 0, shared_slots / np.maximum(smaller, one), np.float32(0.0)
            ).astype(np.float32),
            "travel": np.nan_to_num(travel, nan=0.5).astype(np.float32),
            "fairness": unplaced[:, None] + unplaced[None, :],
        }


def build_arrays(problem: ExchangeProblem) -> Arrays:
    weights = resolve_weights(problem.weights)
    enc = encode(problem.applicants)
    n = len(enc.keys)
    index = {int(k): i for i, k in enumerate(enc.keys)}

    teaches, fit = _directed_teaching(enc)
    language = teaches & teaches.T
    np.fill_diagonal(language, False)

    online = enc.fmt == 0
    in_person_only = enc.fmt == 1
    format_ok = ~(
        (online[:, None] & in_person_only[None, :]) | (in_person_only[:, None] & online[None, :])
    )
    minutes = travel_minutes(enc.lat, enc.lon)
    with np.errstate(invalid="ignore"):
        reachable = (minutes <= enc.limit[:, None]) & (minutes <= enc.limit[None, :])
    reachable &= ~np.isnan(minutes)
    any_online = online[:, None] | online[None, :]
    needs_in_person = in_person_only[:, None] | in_person_only[None, :]
    travel_ok = any_online | ~needs_in_person | reachable
    # Reachable pairs without an online-only side meet in person (either/either included).
    in_person = ~any_online & reachable

    shared_slots = _shared_bits(enc.slots)
    slots_ok = shared_slots > 0

    def accepts(pref: npt.NDArray[np.int8], gender: npt.NDArray[np.int8]) -> Bool:
        # pref 1 = female only (gender 0), pref 2 = male only (gender 1).
        result: Bool = (pref[:, None] == 0) | (pref[:, None] - 1 == gender[None, :])
        return result

    gender_ok = accepts(enc.pref, enc.gender)
    gender_ok &= gender_ok.T

    allowed = np.ones((n, n), dtype=bool)
    for a, b in problem.forbidden:
        if a in index and b in index:
            allowed[index[a], index[b]] = allowed[index[b], index[a]] = False

    stages: list[Bool] = [language]
    for rule in (format_ok, travel_ok, slots_ok, gender_ok, allowed):
        stages.append(stages[-1] & rule)

    values = _values(enc, fit, shared_slots, in_person, minutes)
    score = np.zeros((n, n), dtype=np.float64)
    for name in EXCHANGE_CRITERIA:
        score += weights[name] * values[name].astype(np.float64)
    return Arrays(
        enc=enc,
        stages=tuple(stages),
        in_person=in_person,
        values=values,
        weights=weights,
        score=score,
    )
