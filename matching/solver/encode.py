"""Encode a :class:`Problem` into arrays (the hard rules over them are in ``rules``).

Rows are students, columns are host families.  Categorical sets are uint64 bitsets, one word
per 64 values; a diet is stored with every diet it implies (``diet_closure``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .checks import check_places, group_rows
from .types import (
    CHILDREN_PREFERENCES,
    FORBID_REASONS,
    GENDER_PREFERENCES,
    GENDERS,
    HOUSEHOLD_GENDERS,
    HOUSEHOLD_PREFERENCES,
    LEVELS,
    HostIn,
    PinError,
    Problem,
    SolverInputError,
    StudentIn,
    Vocabulary,
)

BoolA = npt.NDArray[np.bool_]
IntA = npt.NDArray[np.int64]
FloatA = npt.NDArray[np.float64]
BitsA = npt.NDArray[np.uint64]

# Travel time between two stations, door to door, in minutes:
#   TRAVEL_OVERHEAD_MIN + great-circle km * TRAVEL_DETOUR / TRAVEL_KM_PER_MIN.
# Calibration: Kichijoji -> Shinjuku is 11.1 km as the crow flies, 12.4 km by the Chuo rapid
# line in 15 min (about 50 km/h with stops); routes across lines (Seibu <-> Keio) go through a hub,
# so the rail path is ~1.3x the straight line on average.  The overhead covers the walk to the
# station, the wait and the walk from the family's station: ~10 min even for the same station.
# That gives 0 km -> 10 min, Kichijoji -> Shinjuku -> 25 min, Tachikawa -> Shinjuku (26 km) -> 46.
TRAVEL_OVERHEAD_MIN = 10.0
TRAVEL_DETOUR = 1.3
TRAVEL_KM_PER_MIN = 0.95
EARTH_RADIUS_KM = 6371.0

LEVEL_RANK = {name: i + 1 for i, name in enumerate(LEVELS)}
_KID_INTERESTS = frozenset({"children", "kids"})


def _bit_index(vocab: tuple[str, ...]) -> dict[str, int]:
    return {v: i for i, v in enumerate(vocab)}


def diet_closure(vocab: Vocabulary) -> dict[str, frozenset[str]]:
    """Each diet with every diet it implies, transitively (``Vocabulary.diet_implies``)."""
    direct = {d: set(implied) for d, implied in vocab.diet_implies}
    for d, implied in direct.items():
        unknown = ({d} | implied) - set(vocab.diets)
        if unknown:
            raise SolverInputError(f"vocabulary.diet_implies: unknown diet {sorted(unknown)[0]!r}")
    out: dict[str, frozenset[str]] = {}
    for d in vocab.diets:
        seen, todo = {d}, [d]
        while todo:
            for nxt in direct.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        out[d] = frozenset(seen)
    return out


def _choice(value: str, choices: tuple[str, ...], field: str) -> int:
    if value not in choices:
        raise SolverInputError(f"{field}: unknown value {value!r}")
    return choices.index(value)


def _bits(items: tuple[str, ...] | list[str], index: dict[str, int], field: str) -> int:
    out = 0
    for it in items:
        if it not in index:
            raise SolverInputError(f"{field}: unknown value {it!r}")
        out |= 1 << index[it]
    return out


def _words(sets: list[list[int]], n_values: int) -> BitsA:
    """Sets of small ints -> (len(sets), W) uint64 bitsets, W = ceil(n_values / 64) >= 1."""
    w = max(1, (n_values + 63) // 64)
    out = np.zeros((len(sets), w), dtype=np.uint64)
    for r, values in enumerate(sets):
        for v in values:
            out[r, v >> 6] |= np.uint64(1 << (v & 63))
    return out


def travel_minutes(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Estimated door-to-door minutes between stations given in radians (numpy broadcasting)."""
    dlat = lat2 - lat1
    dlon = lon2 - lon1
    a = np.sin(dlat / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
    return TRAVEL_OVERHEAD_MIN + km * (TRAVEL_DETOUR / TRAVEL_KM_PER_MIN)


@dataclass
class Encoded:
    """The problem as arrays.  ``s_*`` have one row per student, ``h_*`` one per host."""

    n: int
    m: int
    n_dates: int
    date_labels: tuple[str, ...]
    s_key: IntA
    h_key: IntA
    s_dates: BoolA  # (n, D) the student can come that day
    s_date_pref: FloatA  # (n, D) the student's wish for that day in [0, 1] (criterion ``dates``)
    h_offers: BoolA  # (m, D) the family offered that day (even if it is full now)
    h_seats: IntA  # (m, D) free seats that day (0 when not offered or full)
    s_gender: IntA  # index into GENDERS
    h_gender_pref: IntA  # index into GENDER_PREFERENCES
    s_lang: list[BitsA]  # s_lang[k]: languages spoken at level >= k+1, (n, W)
    h_lang: list[BitsA]
    s_ja_native: BoolA
    s_ja: BoolA  # speaks some Japanese (any level)
    h_ja: BoolA
    h_easy_ja: BoolA  # speaks Japanese and offers to speak it slowly and simply
    lang_level: int  # the language rule: shared level rank (1..4), 0 = no rule
    easy_ja_level: int  # the student's Japanese rank for the easy-Japanese path, 0 = no path
    languages: tuple[str, ...]
    vocabulary: Vocabulary
    s_diet: BitsA  # (n,) bits over vocabulary.diets, with what they imply
    s_diet_own: BitsA  # (n,) the diets the student gave (for explanations)
    diet_implied: BitsA  # (len(diets),) each diet's bits with what it implies
    h_diet: BitsA
    s_food: BitsA  # (n,) bits over vocabulary.food_allergens
    h_food: BitsA  # allergens the family can keep out
    s_pet_allergy: BitsA  # (n,) bits over vocabulary.pets (the pets the student reacts to)
    s_avoid_pets: BitsA  # (n,) bits over vocabulary.pets (would rather not live with)
    h_pets: BitsA
    s_household: IntA  # index into HOUSEHOLD_PREFERENCES
    h_household: IntA  # index into HOUSEHOLD_GENDERS
    s_children: IntA  # index into CHILDREN_PREFERENCES
    s_step_free: BoolA
    h_step_free: BoolA
    s_alcohol_free: BoolA
    h_alcohol_free: BoolA
    s_prayer: BoolA
    h_prayer: BoolA
    s_nonsmoke: BoolA
    h_smoking: BoolA
    s_int: BitsA  # (n, W) interests
    h_int: BitsA
    interests: tuple[str, ...]
    s_kids: BoolA
    h_children: BoolA
    s_lat: FloatA  # radians
    s_lon: FloatA
    h_lat: FloatA
    h_lon: FloatA
    s_max_travel: FloatA
    s_unplaced: IntA
    s_visits_before: IntA
    s_unplaced_before: IntA
    s_not_alone: BoolA
    h_hosted: IntA
    h_unplaced: IntA
    s_faults: IntA  # no-shows
    h_faults: IntA  # cancellations on the day
    forbid_pair: IntA  # sorted student_row * m + host_row of forbidden pairs
    forbid_code: IntA  # index into FORBID_REASONS, aligned with forbid_pair
    pin_s: IntA  # rows of pinned students / hosts, aligned
    pin_h: IntA
    group_a: IntA  # rows of the two members of each group, aligned
    group_b: IntA
    s_row: dict[int, int]
    h_row: dict[int, int]

    @property
    def slot_host(self) -> IntA:
        return np.nonzero(self.h_seats.T > 0)[1].astype(np.int64)


def encode(problem: Problem) -> Encoded:
    """Validate the problem and turn it into arrays; raises SolverInputError naming the field."""
    n_dates = len(problem.date_labels)
    students, hosts = problem.students, problem.hosts
    n, m = len(students), len(hosts)
    s_row: dict[int, int] = {}
    for i, s in enumerate(students):
        if s.key in s_row:
            raise SolverInputError(f"students: duplicate key {s.key}")
        s_row[s.key] = i
    h_row: dict[int, int] = {}
    for i, h in enumerate(hosts):
        if h.key in h_row:
            raise SolverInputError(f"hosts: duplicate key {h.key}")
        h_row[h.key] = i

    s_dates = np.zeros((n, n_dates), dtype=bool)
    for i, s in enumerate(students):
        for d in s.dates:
            if not 0 <= d < n_dates:
                raise SolverInputError(f"students[{s.key}].dates: no date index {d}")
            s_dates[i, d] = True
    s_date_pref = np.zeros((n, n_dates), dtype=np.float64)
    for i, s in enumerate(students):
        ranks = s.date_ranks
        if len(set(ranks)) != len(ranks) or not set(ranks) <= set(s.dates):
            raise SolverInputError(
                f"students[{s.key}].date_ranks: {ranks!r} (some of the student's dates, once each)"
            )
        if ranks:
            # first choice 1, then evenly less; a day the student can make but did not rank, 0
            s_date_pref[i, list(ranks)] = 1.0 - np.arange(len(ranks)) / len(ranks)
        else:
            s_date_pref[i] = 1.0  # no ranking: every day is as good
    h_offers = np.zeros((m, n_dates), dtype=bool)
    h_seats = np.zeros((m, n_dates), dtype=np.int64)
    for i, h in enumerate(hosts):
        for d, c in h.seats.items():
            if not 0 <= d < n_dates:
                raise SolverInputError(f"hosts[{h.key}].seats: no date index {d}")
            if not 0 <= c <= 3:
                raise SolverInputError(f"hosts[{h.key}].seats: {c} seats on {d} (0..3)")
            h_offers[i, d] = True
            h_seats[i, d] = c

    for s in students:
        if s.gender not in GENDERS:
            raise SolverInputError(f"students[{s.key}].gender: unknown value {s.gender!r}")
    for h in hosts:
        if h.guest_gender_preference not in GENDER_PREFERENCES:
            raise SolverInputError(
                f"hosts[{h.key}].guest_gender_preference: "
                f"unknown value {h.guest_gender_preference!r}"
            )
        if h.household_size < 1:
            raise SolverInputError(
                f"hosts[{h.key}].household_size: {h.household_size} (at least 1 person)"
            )
    rule = problem.language_rule
    lang_level = easy_ja_level = 0
    if rule is not None:
        lang_level = _choice(rule.level, LEVELS, "language_rule.level") + 1
        if rule.easy_japanese_level is not None:
            easy_ja_level = (
                _choice(rule.easy_japanese_level, LEVELS, "language_rule.easy_japanese_level") + 1
            )

    check_places(students, hosts)
    people: list[StudentIn | HostIn] = [*students, *hosts]
    lang_codes = sorted({c for p in people for c in p.languages})
    lang_idx = {c: i for i, c in enumerate(lang_codes)}

    def lang_bits(people: list[dict[str, str]], who: str) -> list[BitsA]:
        per_level: list[list[list[int]]] = [[[] for _ in people] for _ in LEVELS]
        for r, langs in enumerate(people):
            for code, level in langs.items():
                if level not in LEVEL_RANK:
                    raise SolverInputError(f"{who}.languages: unknown level {level!r}")
                for k in range(LEVEL_RANK[level]):
                    per_level[k][r].append(lang_idx[code])
        return [_words(sets, len(lang_codes)) for sets in per_level]

    interest_codes = sorted({i for p in people for i in p.interests})
    int_idx = {c: i for i, c in enumerate(interest_codes)}
    vocab = problem.vocabulary
    diet_idx = _bit_index(vocab.diets)
    food_idx = _bit_index(vocab.food_allergens)
    pet_idx = _bit_index(vocab.pets)
    pet_allergy_idx = {a: pet_idx[a] for a in vocab.pet_allergens if a in pet_idx}
    if len(pet_allergy_idx) != len(vocab.pet_allergens):
        raise SolverInputError(f"vocabulary.pet_allergens: not all in pets {vocab.pets!r}")

    def u64(values: list[int]) -> BitsA:
        return np.array(values, dtype=np.uint64).reshape(len(values))

    closure = diet_closure(vocab)

    def diets(codes: tuple[str, ...], field: str) -> int:
        known = [c for c in codes if c in closure]
        return _bits(codes, diet_idx, field) | _bits(
            tuple(i for c in known for i in closure[c]), diet_idx, field
        )

    s_food_l: list[int] = []
    s_pet_l: list[int] = []
    for s in students:
        field = f"students[{s.key}].allergies"
        food = tuple(a for a in s.allergies if a not in pet_allergy_idx)
        pets = tuple(a for a in s.allergies if a in pet_allergy_idx)
        s_food_l.append(_bits(food, food_idx, field))
        s_pet_l.append(_bits(pets, pet_allergy_idx, field))

    forbid: dict[int, int] = {}
    for (sk, hk), code in problem.forbidden.items():
        if code not in FORBID_REASONS:
            raise SolverInputError(f"forbidden[({sk}, {hk})]: unknown reason {code!r}")
        if sk not in s_row or hk not in h_row:
            raise SolverInputError(f"forbidden: unknown pair ({sk}, {hk})")
        forbid[s_row[sk] * m + h_row[hk]] = FORBID_REASONS.index(code)
    order = sorted(forbid)

    pin_s: list[int] = []
    pin_h: list[int] = []
    for sk, hk in problem.pins:
        if sk not in s_row or hk not in h_row:
            raise PinError(sk, hk, "unknown", "no such student or host application")
        if s_row[sk] in pin_s:
            raise PinError(sk, hk, "one_seat", "the student is pinned twice")
        pin_s.append(s_row[sk])
        pin_h.append(h_row[hk])

    group_a, group_b = group_rows(problem, s_row, h_row, pin_s, pin_h)
    rad = np.pi / 180.0
    enc = Encoded(
        n=n,
        m=m,
        n_dates=n_dates,
        date_labels=tuple(problem.date_labels),
        s_key=np.array([s.key for s in students], dtype=np.int64),
        h_key=np.array([h.key for h in hosts], dtype=np.int64),
        s_dates=s_dates,
        s_date_pref=s_date_pref,
        h_offers=h_offers,
        h_seats=h_seats,
        s_gender=np.array([GENDERS.index(s.gender) for s in students], dtype=np.int64),
        h_gender_pref=np.array(
            [GENDER_PREFERENCES.index(h.guest_gender_preference) for h in hosts], dtype=np.int64
        ),
        s_lang=lang_bits([s.languages for s in students], "students"),
        h_lang=lang_bits([h.languages for h in hosts], "hosts"),
        s_ja_native=np.array([s.languages.get("ja") == "native" for s in students], dtype=bool),
        s_ja=np.array(["ja" in s.languages for s in students], dtype=bool),
        h_ja=np.array(["ja" in h.languages for h in hosts], dtype=bool),
        h_easy_ja=np.array([h.easy_japanese and "ja" in h.languages for h in hosts], dtype=bool),
        lang_level=lang_level,
        easy_ja_level=easy_ja_level,
        languages=tuple(lang_codes),
        vocabulary=vocab,
        s_diet=u64([diets(s.diet, f"students[{s.key}].diet") for s in students]),
        s_diet_own=u64([_bits(s.diet, diet_idx, f"students[{s.key}].diet") for s in students]),
        diet_implied=u64([_bits(tuple(closure[d]), diet_idx, "diets") for d in vocab.diets]),
        h_diet=u64([diets(h.diets_supported, f"hosts[{h.key}].diets_supported") for h in hosts]),
        s_food=u64(s_food_l),
        h_food=u64(
            [
                _bits(h.allergens_avoidable, food_idx, f"hosts[{h.key}].allergens_avoidable")
                for h in hosts
            ]
        ),
        s_pet_allergy=u64(s_pet_l),
        s_avoid_pets=u64(
            [_bits(s.avoid_pets, pet_idx, f"students[{s.key}].avoid_pets") for s in students]
        ),
        h_pets=u64([_bits(h.pets, pet_idx, f"hosts[{h.key}].pets") for h in hosts]),
        s_household=np.array(
            [
                _choice(
                    s.household_preference,
                    HOUSEHOLD_PREFERENCES,
                    f"students[{s.key}].household_preference",
                )
                for s in students
            ],
            dtype=np.int64,
        ),
        h_household=np.array(
            [
                _choice(h.household_genders, HOUSEHOLD_GENDERS, f"hosts[{h.key}].household_genders")
                for h in hosts
            ],
            dtype=np.int64,
        ),
        s_children=np.array(
            [
                _choice(
                    s.children_preference,
                    CHILDREN_PREFERENCES,
                    f"students[{s.key}].children_preference",
                )
                for s in students
            ],
            dtype=np.int64,
        ),
        s_step_free=np.array([s.needs_step_free for s in students], dtype=bool),
        h_step_free=np.array([h.step_free for h in hosts], dtype=bool),
        s_alcohol_free=np.array([s.needs_alcohol_free for s in students], dtype=bool),
        h_alcohol_free=np.array([h.alcohol_free for h in hosts], dtype=bool),
        s_prayer=np.array([s.needs_prayer_space for s in students], dtype=bool),
        h_prayer=np.array([h.prayer_space for h in hosts], dtype=bool),
        s_nonsmoke=np.array([s.needs_non_smoking for s in students], dtype=bool),
        h_smoking=np.array([h.smoking for h in hosts], dtype=bool),
        s_int=_words([[int_idx[i] for i in s.interests] for s in students], len(interest_codes)),
        h_int=_words([[int_idx[i] for i in h.interests] for h in hosts], len(interest_codes)),
        interests=tuple(interest_codes),
        s_kids=np.array([bool(_KID_INTERESTS & set(s.interests)) for s in students], dtype=bool),
        h_children=np.array([h.has_children for h in hosts], dtype=bool),
        s_lat=np.array([s.lat for s in students], dtype=np.float64) * rad,
        s_lon=np.array([s.lon for s in students], dtype=np.float64) * rad,
        h_lat=np.array([h.lat for h in hosts], dtype=np.float64) * rad,
        h_lon=np.array([h.lon for h in hosts], dtype=np.float64) * rad,
        s_max_travel=np.array([s.max_travel_minutes for s in students], dtype=np.float64),
        s_unplaced=np.array([max(0, s.times_unplaced) for s in students], dtype=np.int64),
        s_visits_before=np.array([max(0, s.visits_before) for s in students], dtype=np.int64),
        s_unplaced_before=np.array([max(0, s.unplaced_before) for s in students], dtype=np.int64),
        s_not_alone=np.array([s.not_alone for s in students], dtype=bool),
        h_hosted=np.array([max(0, h.times_hosted) for h in hosts], dtype=np.int64),
        h_unplaced=np.array([max(0, h.times_unplaced) for h in hosts], dtype=np.int64),
        s_faults=np.array([max(0, s.no_shows) for s in students], dtype=np.int64),
        h_faults=np.array([max(0, h.late_cancellations) for h in hosts], dtype=np.int64),
        forbid_pair=np.array(order, dtype=np.int64),
        forbid_code=np.array([forbid[k] for k in order], dtype=np.int64),
        pin_s=np.array(pin_s, dtype=np.int64),
        pin_h=np.array(pin_h, dtype=np.int64),
        group_a=np.array(group_a, dtype=np.int64),
        group_b=np.array(group_b, dtype=np.int64),
        s_row=s_row,
        h_row=h_row,
    )
    return enc
