"""Language exchange: reciprocal one-to-one pairing over a general graph, with a certified gap.

The model
---------
Applicants are the vertices of one general (non-bipartite) graph: anyone may pair with anyone.
Row ``i`` and column ``j`` of every n x n array are the applicants sorted by key; every array is
symmetric and its diagonal is infeasible.

A pair ``{a, b}`` is feasible (an edge) when all of these hold:

* **language** - a teaches b a language b learns, at a level above b's level in it, *and* b
  teaches a a language a learns, above a's level (ranks beginner 0 < intermediate 1 < advanced 2
  < native 3);
* **format** - not one ``online`` with one ``in_person``.  The meeting is *online* when either
  side is online-only; *in person* when either side is in-person-only (then the travel time must
  be within both limits, else the pair is infeasible); when both said ``either`` they meet in
  person if the travel time is within both limits and online otherwise, so travel never makes an
  either/either pair infeasible;
* **travel** - as above; a missing station or limit means in person is impossible;
* **time slots** - at least one weekly slot in common;
* **gender** - each side's preference (``any``/``female``/``male``) is met by the other's gender;
* **not forbidden** - the coordinator forbade it, or the two declined each other before.

Score: each criterion gives a value in [0, 1]; a pair's score is sum(weight x value), in points
(the default weights sum to 100, so a score is in [0, 100]).  Criteria:

* ``level_fit`` - per direction, the best language's (teacher rank - learner rank) /
  (3 - learner rank): the share of the way to native that the teacher covers (a native speaker
  is always 1); the mean of both directions;
* ``shared_interests`` - Jaccard index of the interest sets;
* ``time_overlap`` - shared slots / slots of the side with fewer slots;
* ``travel`` - in person: 1 - minutes / shorter limit; online: 0.5 (neither gain nor loss);
* ``fairness`` - (min(times unplaced, 3) of both) / 6: people left over before come first.

Objective: the most people paired, then the highest total score (lexicographic).  Per connected
component of the feasibility graph (``connected_components``), ``linear_sum_assignment`` on the
symmetric matrix ``M + score`` (feasible), 0 (diagonal = stay unpaired), -BIG (infeasible)
gives a maximum cycle cover; with ``M`` above any matching's total score the lexicographic order
is kept.  Half its value bounds the optimum from above (every matching is a cover made of
2-cycles and fixed points), and ``floor(bound / M)`` bounds the number of pairs.

* A cover without odd cycles of length >= 3 is optimal as a matching: 2-cycles are pairs and an
  even cycle gives its better alternating half (both halves are worth half the cycle).
* Otherwise an odd cycle drops the vertex whose removal leaves the best alternating path, the
  dropped vertices are re-paired where a direct edge or a path through one pair allows, and if
  the pair count is still below ``floor(bound / M)`` (and ``n // 2``), Edmonds' augmenting
  paths with blossoms finish it: no augmenting path left means the most pairs (Berge).  The
  best score at that pair count is then an integer programme (``scipy.optimize.milp``, HiGHS,
  the pair count fixed by one equality row), certified by HiGHS's dual bound (exact when it
  finishes within ``MILP_TIME_LIMIT_S``).  A component with more than ``EXACT_EDGE_LIMIT`` edges
  runs the milp
  on candidate edges (the cover's and each applicant's best ``CANDIDATES_PER_APPLICANT``); its
  score bound is then the Lagrangian ``min_mu FM(score + mu) - mu * pairs`` (FM = half a cycle
  cover), searched by bisection on the cover's cardinality (a subgradient).

Stats: ``upper_bound`` bounds the total score of every matching with at least as many pairs as
the answer (and ``pairs_upper_bound`` the number of pairs); ``gap = (upper_bound - total) /
upper_bound``.  Pins (coordinator-fixed pairs) are checked against every rule and taken out of
the graph first.  Same input, same answer, whatever the input order (applicants are sorted by
key).  Values are single precision; scores and bounds are summed in double precision.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse.csgraph import connected_components

from matching.solver.encode import travel_minutes as station_minutes

Bool = npt.NDArray[np.bool_]
Float = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
Int = npt.NDArray[np.int64]

LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced", "native")
LEVEL_RANK: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
FORMATS: tuple[str, ...] = ("online", "in_person", "either")
GENDER_PREFERENCES: tuple[str, ...] = ("any", "female", "male")

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

# Components (with odd cycles in their cover) of at most this many edges get the score milp on
# all their edges; larger ones on candidate edges only.  Measured on 2 cores: the score milp
# takes ~0.6 s at 3k edges, ~4 s at 20k, ~10 s at 100k.
EXACT_EDGE_LIMIT = 40_000
CANDIDATES_PER_APPLICANT = 12
# Only a milp that hits this limit makes the answer depend on the machine's speed; the result
# then keeps its certified bound, and the component's method says "milp_time_limit".
MILP_TIME_LIMIT_S = 20.0
LAGRANGE_STEPS = 10
LAGRANGE_TOLERANCE = 1e-5

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
    format: Literal["online", "in_person", "either"]
    lat: float | None
    lon: float | None
    max_travel_minutes: int | None
    time_slots: tuple[str, ...]
    gender: str
    gender_preference: Literal["any", "female", "male"] = "any"
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


# --------------------------------------------------------------------------------------------
# Encoding: applicants -> arrays


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


# --------------------------------------------------------------------------------------------
# Matching on one component


@dataclass
class ComponentResult:
    pairs: list[tuple[int, int]]  # local indices
    pairs_bound: int
    score_bound: float
    method: str


def _cycles(successor: Int) -> list[list[int]]:
    seen = np.zeros(len(successor), dtype=bool)
    cycles: list[list[int]] = []
    for start in range(len(successor)):
        if seen[start]:
            continue
        cycle = []
        v = start
        while not seen[v]:
            seen[v] = True
            cycle.append(v)
            v = int(successor[v])
        cycles.append(cycle)
    return cycles


def _cover_to_matching(cycles: list[list[int]], weight: Float) -> list[tuple[int, int]]:
    """2-cycles are pairs; an even cycle gives its better alternating half; an odd cycle loses
    the one vertex whose removal leaves the best alternating path."""
    pairs: list[tuple[int, int]] = []
    for cycle in cycles:
        length = len(cycle)
        if length < 2:
            continue
        nodes = np.array(cycle)
        edge = weight[nodes, np.roll(nodes, -1)]  # edge[i] joins cycle[i] and cycle[i + 1]
        if length == 2:
            pairs.append((cycle[0], cycle[1]))
            continue
        if length % 2 == 0:
            start = 0 if edge[0::2].sum() >= edge[1::2].sum() else 1
        else:
            # Dropping vertex r keeps edges r+1, r+3, ..., r+L-2 (all indices mod L).
            steps = np.arange(0, length - 1, 2)
            value = edge[(np.arange(length)[:, None] + 1 + steps[None, :]) % length].sum(axis=1)
            start = (int(np.argmax(value)) + 1) % length
        count = length // 2
        for k in range(count):
            i = (start + 2 * k) % length
            pairs.append((cycle[i], cycle[(i + 1) % length]))
    return pairs


def _cover(weight_matrix: Float) -> tuple[Int, float]:
    rows, cols = linear_sum_assignment(weight_matrix, maximize=True)
    successor = np.empty(len(rows), dtype=np.int64)
    successor[rows] = cols
    return successor, float(weight_matrix[rows, cols].sum())


def _best_score_milp(
    m: int, ei: Int, ej: Int, score: Float, pairs: int
) -> tuple[list[tuple[int, int]], float, bool]:
    """The best total score over matchings of exactly ``pairs`` pairs on edges (ei, ej), as an
    integer programme (HiGHS).  Returns the pairs, HiGHS's score bound and whether it finished
    (then the answer is optimal on those edges)."""
    n_edges = len(ei)
    columns = np.arange(n_edges)
    incidence = sparse.csr_array(
        (np.ones(2 * n_edges), (np.concatenate([ei, ej]), np.concatenate([columns, columns]))),
        shape=(m, n_edges),
    )
    ones = np.ones(n_edges)
    found = milp(
        -score,
        constraints=[
            LinearConstraint(incidence, 0, 1),
            LinearConstraint(ones[None, :], pairs, pairs),
        ],
        integrality=ones,
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": MILP_TIME_LIMIT_S, "presolve": True},
    )
    if found.x is None:
        return [], math.inf, False
    chosen = found.x > 0.5
    matched = list(zip(ei[chosen].tolist(), ej[chosen].tolist(), strict=True))
    return matched, float(-found.mip_dual_bound), found.status == 0


def _lagrangian_bound(
    feasible: Bool,
    score: Float,
    pairs: int,
    allow_negative: bool,
    big_m: float,
    achieved: float = math.inf,
) -> float:
    """min over mu of FM(score + mu) - mu * pairs, FM being the best fractional matching (half a
    cycle cover).  Valid for every matching with exactly ``pairs`` pairs (any mu), or with at
    least ``pairs`` pairs (mu >= 0).  Convex in mu; the cover's cardinality is a subgradient."""
    m = len(score)
    s_max = float(score.max(initial=0.0))
    big = -4.0 * (m + 1) * (s_max + big_m + 1.0)
    best = math.inf

    def evaluate(mu: float) -> int:
        nonlocal best
        matrix = np.where(feasible, score + mu, big)
        np.fill_diagonal(matrix, 0.0)
        successor, value = _cover(matrix)
        best = min(best, value / 2.0 - mu * pairs)
        return int((successor != np.arange(m)).sum())

    low = -s_max - 1.0 if allow_negative else 0.0
    high = s_max + 1.0
    # Past the point where the cover reaches the target cardinality, the bound only grows.
    while evaluate(high) < 2 * pairs and high < big_m:
        low, high = high, min(high * 4.0, big_m)
    for _ in range(LAGRANGE_STEPS):
        if best - achieved <= LAGRANGE_TOLERANCE * abs(best):
            break  # close enough to the answer: more steps would not change the report
        mu = (low + high) / 2.0
        moved = evaluate(mu)
        if moved == 2 * pairs:
            break
        if moved > 2 * pairs:
            high = mu
        else:
            low = mu
    return best


def _augment(pairs: list[tuple[int, int]], feasible: Bool, score: Float) -> list[tuple[int, int]]:
    """Cheap repairs of the vertices that odd cycles left alone: pair two of them directly, or
    through one matched pair (u - a = b - v becomes u = a, b = v), best gain first."""
    m = len(score)
    mate = np.full(m, -1, dtype=np.int64)
    for a, b in pairs:
        mate[a], mate[b] = b, a
    while True:
        free = np.flatnonzero(mate < 0)
        if len(free) < 2:
            break
        direct = feasible[np.ix_(free, free)]
        if direct.any():
            gain = np.where(direct, score[np.ix_(free, free)], -np.inf)
            row, col = np.unravel_index(int(np.argmax(gain)), gain.shape)
            a, b = int(free[row]), int(free[col])
            mate[a], mate[b] = b, a
            continue
        heads = np.flatnonzero(mate >= 0)
        tails = mate[heads]
        # reach[h, f]: free vertex f can take matched vertex h; then h's mate needs another one.
        reach_head = feasible[np.ix_(heads, free)]
        reach_tail = feasible[np.ix_(tails, free)]
        both = (reach_head.sum(axis=1) > 0) & (reach_tail.sum(axis=1) > 0)
        # The two free vertices must differ: at least one of them has a second choice.
        ok = both & ~(
            (reach_head.sum(axis=1) == 1)
            & (reach_tail.sum(axis=1) == 1)
            & (reach_head.argmax(axis=1) == reach_tail.argmax(axis=1))
        )
        if not ok.any():
            break
        h = int(np.flatnonzero(ok)[0])
        a, b = int(heads[h]), int(tails[h])
        u_choices = free[reach_head[h]]
        tail_choices = free[reach_tail[h]]
        if len(tail_choices) == 1:
            u_choices = u_choices[u_choices != tail_choices[0]]
        first = int(u_choices[np.argmax(score[a, u_choices])])
        v_choices = free[reach_tail[h] & (free != first)]
        second = int(v_choices[np.argmax(score[b, v_choices])])
        mate[a], mate[first], mate[b], mate[second] = first, a, second, b
    return [(int(a), int(mate[a])) for a in range(m) if mate[a] > a]


def _maximum_cardinality(pairs: list[tuple[int, int]], feasible: Bool) -> list[tuple[int, int]]:
    """Grow ``pairs`` to a maximum-cardinality matching by Edmonds' augmenting paths (odd
    cycles shrunk into blossoms); by Berge's theorem the result has the most pairs possible.

    One search per free vertex.  A search that finds no path leaves a tree that no later
    augmentation can use (Edmonds), so its vertices are dropped from the remaining searches.
    The start is the cover's matching, a few pairs short at most, so searches are few."""
    m = len(feasible)
    graph = sparse.csr_array(feasible)
    indptr, indices = graph.indptr.tolist(), graph.indices.tolist()
    adj = [indices[indptr[v] : indptr[v + 1]] for v in range(m)]
    mate = [-1] * m
    for a, b in pairs:
        mate[a], mate[b] = b, a
    dead = [False] * m

    def search(root: int) -> tuple[int, list[int], list[bool]]:
        parent = [-1] * m
        base = list(range(m))
        seen = [False] * m
        seen[root] = True
        queue = [root]

        def common_base(a: int, b: int) -> int:
            on_path = [False] * m
            while True:
                a = base[a]
                on_path[a] = True
                if mate[a] == -1:
                    break
                a = parent[mate[a]]
            while True:
                b = base[b]
                if on_path[b]:
                    return b
                b = parent[mate[b]]

        def mark(v: int, stop: int, child: int, blossom: list[bool]) -> None:
            while base[v] != stop:
                blossom[base[v]] = blossom[base[mate[v]]] = True
                parent[v] = child
                child = mate[v]
                v = parent[mate[v]]

        head = 0
        while head < len(queue):
            v = queue[head]
            head += 1
            for w in adj[v]:
                if dead[w] or base[v] == base[w] or mate[v] == w:
                    continue
                if w == root or (mate[w] != -1 and parent[mate[w]] != -1):
                    # An odd cycle: shrink it into a blossom with base ``top``.
                    top = common_base(v, w)
                    blossom = [False] * m
                    mark(v, top, w, blossom)
                    mark(w, top, v, blossom)
                    for u in range(m):
                        if blossom[base[u]]:
                            base[u] = top
                            if not seen[u]:
                                seen[u] = True
                                queue.append(u)
                elif parent[w] == -1:
                    parent[w] = v
                    if mate[w] == -1:
                        return w, parent, seen
                    seen[mate[w]] = True
                    queue.append(mate[w])
        return -1, parent, seen

    for root in range(m):
        if mate[root] != -1 or dead[root]:
            continue
        end, parent, seen = search(root)
        if end == -1:
            # The whole tree: outer (seen) and inner (reached, with a parent) vertices.
            for u in range(m):
                if seen[u] or parent[u] != -1:
                    dead[u] = True
            continue
        while end != -1:
            previous = parent[end]
            following = mate[previous]
            mate[end], mate[previous] = previous, end
            end = following
    return [(a, mate[a]) for a in range(m) if mate[a] > a]


def solve_component(feasible: Bool, score: Float) -> ComponentResult:
    """Most pairs, then best total score, on one connected component (local indices)."""
    m = len(score)
    if m < 2:
        return ComponentResult([], 0, 0.0, "single")
    s_max = float(score[feasible].max(initial=0.0))
    big_m = (m // 2 + 1) * (s_max + 1.0)
    big = -4.0 * (m + 1) * (big_m + s_max)
    combined = np.where(feasible, score + big_m, big)
    np.fill_diagonal(combined, 0.0)
    successor, value = _cover(combined)
    upper = value / 2.0
    pairs_bound = min(math.floor(upper / big_m + 1e-9), m // 2)
    cycles = _cycles(successor)
    pairs = _cover_to_matching(cycles, combined)
    if all(len(c) <= 2 or len(c) % 2 == 0 for c in cycles):
        achieved = sum(score[a, b] for a, b in pairs)
        return ComponentResult(
            pairs, len(pairs), max(achieved, upper - big_m * len(pairs)), "cover"
        )
    if len(pairs) < pairs_bound:
        pairs = _augment(pairs, feasible, score)
    if len(pairs) < pairs_bound:
        # Odd cycles can hide a larger matching only behind blossoms: Edmonds settles it.
        pairs = _maximum_cardinality(pairs, feasible)
        pairs_bound = len(pairs)

    ei, ej = np.nonzero(np.triu(feasible, 1))
    # From here on len(pairs) is the most pairs possible; the milp maximises the score.
    method = "candidates"
    if len(ei) <= EXACT_EDGE_LIMIT:
        method = "milp_time_limit"
        found, score_bound, finished = _best_score_milp(m, ei, ej, score[ei, ej], len(pairs))
        if len(found) == len(pairs):
            if finished:
                return ComponentResult(found, pairs_bound, score_bound, "milp")
            if sum(score[a, b] for a, b in found) > sum(score[a, b] for a, b in pairs):
                pairs = found
    else:
        # Candidate edges: the cover's and each applicant's best few.
        ranked = np.where(feasible, combined, -np.inf)
        top = np.argsort(-ranked, axis=1, kind="stable")[:, :CANDIDATES_PER_APPLICANT]
        rows = np.repeat(np.arange(m), top.shape[1])
        keep = np.zeros((m, m), dtype=bool)
        keep[rows, top.ravel()] = True
        cover_rows = np.arange(m)
        keep[cover_rows, successor] = True
        for a, b in pairs:  # the matching found so far, so its cardinality stays reachable
            keep[a, b] = True
        keep &= feasible
        keep |= keep.T
        ci, cj = np.nonzero(np.triu(keep, 1))
        found, _, _ = _best_score_milp(m, ci, cj, score[ci, cj], len(pairs))
        if len(found) == len(pairs) and sum(score[a, b] for a, b in found) > sum(
            score[a, b] for a, b in pairs
        ):
            pairs = found
    achieved = sum(score[a, b] for a, b in pairs)
    bound = _lagrangian_bound(feasible, score, len(pairs), True, big_m, achieved)
    return ComponentResult(pairs, pairs_bound, max(achieved, bound), method)


# --------------------------------------------------------------------------------------------
# Explanations and the whole solve


def _reasons(arrays: Arrays, index: int, problem: ExchangeProblem) -> list[dict[str, Any]]:
    counts = [int(stage[index].sum()) for stage in arrays.stages]
    for code, count in zip(RULE_ORDER, counts, strict=True):
        if count == 0:
            params: dict[str, Any] = {}
            if code != "no_language_match":
                params["language_partners"] = counts[0]
            if code == "forbidden":
                key = int(arrays.enc.keys[index])
                why = sorted({v for (a, b), v in problem.forbidden.items() if key in (a, b)})
                params["why"] = why
            return [{"code": code, "params": params, "text": REASON_TEXT[code]}]
    return [
        {
            "code": "partners_taken",
            "params": {"candidates": counts[-1]},
            "text": REASON_TEXT["partners_taken"],
        }
    ]


def _directions(enc: Encoded, i: int, j: int) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for teacher, learner in ((i, j), (j, i)):
        t, learner_levels = enc.teach[teacher], enc.learn[learner]
        ok = (t >= 0) & (learner_levels >= 0) & (t > learner_levels)
        out.extend(
            (int(enc.keys[teacher]), int(enc.keys[learner]), enc.languages[col])
            for col in np.flatnonzero(ok)
        )
    return out


def _pinned(arrays: Arrays, pins: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    index = {int(k): i for i, k in enumerate(arrays.enc.keys)}
    seen: set[int] = set()
    out: list[tuple[int, int]] = []
    for a_key, b_key in pins:
        for key in (a_key, b_key):
            if key not in index:
                raise ExchangePinError(f"pin ({a_key}, {b_key}): {key} is not an applicant")
            if key in seen:
                raise ExchangePinError(f"pin ({a_key}, {b_key}): {key} is pinned twice")
            seen.add(key)
        a, b = index[a_key], index[b_key]
        for rule, stage in zip(RULE_ORDER, arrays.stages, strict=True):
            if not stage[a, b]:
                raise ExchangePinError(f"pin ({a_key}, {b_key}) is infeasible: {rule}")
        out.append((a, b))
    return out


def solve_exchange(
    problem: ExchangeProblem, *, clock: Callable[[], float] = time.perf_counter
) -> ExchangeResult:
    """Pair the applicants: most pairs, then the highest total score; see the module docstring."""
    started = clock()
    arrays = build_arrays(problem)
    enc, feasible, score = arrays.enc, arrays.feasible, arrays.score
    n = len(enc.keys)
    matched = _pinned(arrays, problem.pins)
    pinned_score = float(sum(score[a, b] for a, b in matched))
    if matched:
        # Pinned applicants leave the graph; the others are solved around them.
        feasible = feasible.copy()
        gone = np.array([v for pair in matched for v in pair])
        feasible[gone, :] = False
        feasible[:, gone] = False
    n_comp, labels = connected_components(sparse.csr_array(feasible), directed=False)
    order = np.argsort(labels, kind="stable")
    bounds_sum, pairs_bound = pinned_score, len(matched)
    methods: dict[str, int] = {}
    split = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, split) if n else []:
        if len(members) < 2:
            continue
        sub = np.ix_(members, members)
        result = solve_component(feasible[sub], score[sub])
        matched.extend((int(members[a]), int(members[b])) for a, b in result.pairs)
        bounds_sum += result.score_bound
        pairs_bound += result.pairs_bound
        methods[result.method] = methods.get(result.method, 0) + 1

    pairs: list[ExchangePair] = []
    meetings: dict[tuple[int, int], str] = {}
    paired = np.zeros(n, dtype=bool)
    for i, j in sorted(matched, key=lambda p: min(enc.keys[p[0]], enc.keys[p[1]])):
        a, b = (i, j) if enc.keys[i] < enc.keys[j] else (j, i)
        paired[[a, b]] = True
        breakdown = {
            name: arrays.weights[name] * float(arrays.values[name][a, b])
            for name in EXCHANGE_CRITERIA
        }
        ka, kb = int(enc.keys[a]), int(enc.keys[b])
        pairs.append(ExchangePair(ka, kb, float(score[a, b]), breakdown, _directions(enc, a, b)))
        meetings[(ka, kb)] = "in_person" if arrays.in_person[a, b] else "online"
    unplaced = [
        Reason(int(enc.keys[i]), _reasons(arrays, int(i), problem)) for i in np.flatnonzero(~paired)
    ]
    total = float(sum(p.score for p in pairs))
    upper = max(bounds_sum, total)
    scores = [p.score for p in pairs]
    stats: dict[str, Any] = {
        "applicants": n,
        "paired": 2 * len(pairs),
        "unpaired": n - 2 * len(pairs),
        "pairs": len(pairs),
        "pairs_upper_bound": max(pairs_bound, len(pairs)),
        "total_score": round(total, 6),
        "mean_score": round(total / len(pairs), 6) if pairs else 0.0,
        "min_score": round(min(scores), 6) if scores else 0.0,
        "upper_bound": round(upper, 6),
        "gap": (upper - total) / upper if upper > 0 else 0.0,
        "pinned": len(problem.pins),
        "components": int(n_comp),
        "methods": methods,
        "solve_ms": round((clock() - started) * 1000.0, 1),
    }
    return ExchangeResult(pairs=pairs, unplaced=unplaced, stats=stats, meetings=meetings)
