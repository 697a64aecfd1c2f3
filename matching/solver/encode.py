"""Encode a :class:`Problem` into arrays, and the hard rules as vectorised masks.

Rows are students, columns are host families; a rule returns a boolean array shaped like the
broadcast of the row and column index arrays it is given, so the same code builds a whole
``students x hosts`` block (``rows[:, None]``, ``cols[None, :]``) or checks an aligned list of
pairs (two flat arrays).  Categorical sets are uint64 bitsets, one word per 64 values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .types import (
    FORBID_REASONS,
    GENDER_PREFERENCES,
    GENDERS,
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

# Pair rules in the order the explanation applies them (the date rule comes first, per slot).
PAIR_RULES = ("pet", "smoking", "diet", "allergen", "gender", "travel", "forbidden")

LEVEL_RANK = {name: i + 1 for i, name in enumerate(LEVELS)}
_KID_INTERESTS = frozenset({"children", "kids"})


def _bit_index(vocab: tuple[str, ...]) -> dict[str, int]:
    return {v: i for i, v in enumerate(vocab)}


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
    h_offers: BoolA  # (m, D) the family offered that day (even if it is full now)
    h_seats: IntA  # (m, D) free seats that day (0 when not offered or full)
    s_gender: IntA  # index into GENDERS
    h_gender_pref: IntA  # index into GENDER_PREFERENCES
    s_lang: list[BitsA]  # s_lang[k]: languages spoken at level >= k+1, (n, W)
    h_lang: list[BitsA]
    s_ja_native: BoolA
    h_ja: BoolA
    languages: tuple[str, ...]
    vocabulary: Vocabulary
    s_diet: BitsA  # (n,) bits over vocabulary.diets
    h_diet: BitsA
    s_food: BitsA  # (n,) bits over vocabulary.food_allergens
    h_food: BitsA  # allergens the family can keep out
    s_pet_allergy: BitsA  # (n,) bits over vocabulary.pets (the pets the student reacts to)
    h_pets: BitsA
    s_nonsmoke: BoolA
    h_smoking: BoolA
    s_int: BitsA  # (n, W) interests
    h_int: BitsA
    interests: tuple[str, ...]
    s_kids: BoolA
    h_children: BoolA
    h_size: IntA
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

    for who, rows in (("students", students), ("hosts", hosts)):
        for r in rows:
            for name, lo, hi in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
                v = getattr(r, name)
                if not (isinstance(v, int | float) and lo <= v <= hi):  # NaN fails too
                    raise SolverInputError(f"{who}[{r.key}].{name}: {v!r} is not in {lo}..{hi}")
    for s in students:
        if not (isinstance(s.max_travel_minutes, int | float) and s.max_travel_minutes >= 0):
            raise SolverInputError(
                f"students[{s.key}].max_travel_minutes: {s.max_travel_minutes!r} is not >= 0"
            )

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

    group_a: list[int] = []
    group_b: list[int] = []
    in_group: set[int] = set()
    for ka, kb in problem.groups:
        for k in (ka, kb):
            if k not in s_row:
                raise SolverInputError(f"groups[({ka}, {kb})]: no student application {k}")
            if k in in_group or ka == kb:
                raise SolverInputError(f"groups[({ka}, {kb})]: student {k} is in two groups")
            in_group.add(k)
        group_a.append(s_row[ka])
        group_b.append(s_row[kb])
    pinned_to = dict(zip(pin_s, pin_h, strict=True))
    for a, b in zip(group_a, group_b, strict=True):
        ha, hb = pinned_to.get(a), pinned_to.get(b)
        if ha is not None and hb is not None and ha != hb:
            raise PinError(
                int(students[b].key),
                int(hosts[hb].key),
                "group",
                f"the partner {students[a].key} is pinned to another family",
            )

    rad = np.pi / 180.0
    enc = Encoded(
        n=n,
        m=m,
        n_dates=n_dates,
        date_labels=tuple(problem.date_labels),
        s_key=np.array([s.key for s in students], dtype=np.int64),
        h_key=np.array([h.key for h in hosts], dtype=np.int64),
        s_dates=s_dates,
        h_offers=h_offers,
        h_seats=h_seats,
        s_gender=np.array([GENDERS.index(s.gender) for s in students], dtype=np.int64),
        h_gender_pref=np.array(
            [GENDER_PREFERENCES.index(h.guest_gender_preference) for h in hosts], dtype=np.int64
        ),
        s_lang=lang_bits([s.languages for s in students], "students"),
        h_lang=lang_bits([h.languages for h in hosts], "hosts"),
        s_ja_native=np.array([s.languages.get("ja") == "native" for s in students], dtype=bool),
        h_ja=np.array(["ja" in h.languages for h in hosts], dtype=bool),
        languages=tuple(lang_codes),
        vocabulary=vocab,
        s_diet=u64([_bits(s.diet, diet_idx, f"students[{s.key}].diet") for s in students]),
        h_diet=u64(
            [_bits(h.diets_supported, diet_idx, f"hosts[{h.key}].diets_supported") for h in hosts]
        ),
        s_food=u64(s_food_l),
        h_food=u64(
            [
                _bits(h.allergens_avoidable, food_idx, f"hosts[{h.key}].allergens_avoidable")
                for h in hosts
            ]
        ),
        s_pet_allergy=u64(s_pet_l),
        h_pets=u64([_bits(h.pets, pet_idx, f"hosts[{h.key}].pets") for h in hosts]),
        s_nonsmoke=np.array([s.needs_non_smoking for s in students], dtype=bool),
        h_smoking=np.array([h.smoking for h in hosts], dtype=bool),
        s_int=_words([[int_idx[i] for i in s.interests] for s in students], len(interest_codes)),
        h_int=_words([[int_idx[i] for i in h.interests] for h in hosts], len(interest_codes)),
        interests=tuple(interest_codes),
        s_kids=np.array([bool(_KID_INTERESTS & set(s.interests)) for s in students], dtype=bool),
        h_children=np.array([h.has_children for h in hosts], dtype=bool),
        h_size=np.array([h.household_size for h in hosts], dtype=np.int64),
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


def _none(bits: Any) -> Any:
    return bits == np.uint64(0)


def forbidden_code(enc: Encoded, si: IntA, hi: IntA) -> IntA:
    """FORBID_REASONS index of each pair, -1 where the pair is not forbidden (broadcasting)."""
    key = si * enc.m + hi
    if enc.forbid_pair.size == 0:
        return np.full(np.broadcast(si, hi).shape, -1, dtype=np.int64)
    pos = np.searchsorted(enc.forbid_pair, key)
    pos = np.minimum(pos, enc.forbid_pair.size - 1)
    hit = enc.forbid_pair[pos] == key
    return np.where(hit, enc.forbid_code[pos], -1)


def pair_rules(enc: Encoded, si: IntA, hi: IntA) -> dict[str, BoolA]:
    """Each date-independent hard rule as a boolean array (True = the pair passes the rule)."""
    g = enc.s_gender[si]
    pref = enc.h_gender_pref[hi]
    # female (1) -> only female guests (0); male (2) -> only male guests (1); any (0) -> all.
    gender_ok = (pref == 0) | ((pref == 1) & (g == 0)) | ((pref == 2) & (g == 1))
    t = travel_minutes(enc.s_lat[si], enc.s_lon[si], enc.h_lat[hi], enc.h_lon[hi])
    return {
        "pet": _none(enc.s_pet_allergy[si] & enc.h_pets[hi]),
        "smoking": ~(enc.s_nonsmoke[si] & enc.h_smoking[hi]),
        "diet": _none(enc.s_diet[si] & ~enc.h_diet[hi]),
        "allergen": _none(enc.s_food[si] & ~enc.h_food[hi]),
        "gender": gender_ok,
        "travel": t <= enc.s_max_travel[si],
        "forbidden": forbidden_code(enc, si, hi) < 0,
    }


def date_ok(enc: Encoded, si: IntA, hi: IntA, d: int) -> BoolA:
    """The student can come on date ``d`` and the family has a free seat that day."""
    out: BoolA = enc.s_dates[si, d] & (enc.h_seats[hi, d] > 0)
    return out


def check_pins(enc: Encoded) -> None:
    """Raise PinError for a pin that breaks a hard rule or has no shared date with a free seat."""
    for si, hi in zip(enc.pin_s.tolist(), enc.pin_h.tolist(), strict=True):
        a, b = np.array([si]), np.array([hi])
        sk, hk = int(enc.s_key[si]), int(enc.h_key[hi])
        for rule, ok in pair_rules(enc, a, b).items():
            if not bool(ok[0]):
                raise PinError(sk, hk, rule, "the pair breaks this hard rule")
        if not any(bool(date_ok(enc, a, b, d)[0]) for d in range(enc.n_dates)):
            raise PinError(sk, hk, "date", "no shared date with a free seat")
