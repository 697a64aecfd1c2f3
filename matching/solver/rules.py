"""The hard rules of a (student, family) pair as vectorised boolean masks.

A rule takes row and column index arrays and returns a boolean array shaped like their
broadcast (True = the pair passes), so the same code builds a ``students x hosts`` block or
checks an aligned list of pairs.  ``tables`` gathers them per distinct profile; ``explain``
evaluates each one alone to say which rule left someone out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .encode import BoolA, Encoded, IntA, travel_minutes
from .types import PinError

# Pair rules in the order the explanation applies them (the date rule comes first, per slot).
PAIR_RULES = (
    "language",
    "pet",
    "pet_wish",
    "smoking",
    "diet",
    "allergen",
    "alcohol",
    "gender",
    "household",
    "children",
    "step_free",
    "prayer",
    "travel",
    "forbidden",
)
# The rules that depend only on the categorical profiles of the two sides (``tables``); the
# language rule has its own table, travel and exclusions are per pair.
CATEGORICAL_RULES = tuple(r for r in PAIR_RULES if r not in ("language", "travel", "forbidden"))
# household_preference -> the household_genders that meet it (indices of HOUSEHOLD_GENDERS).
_HOUSEHOLD_OK = np.array(
    [
        [True, True, True],  # any
        [True, True, False],  # woman_at_home: mixed or women only
        [False, True, False],  # women_only
        [True, False, True],  # man_at_home
        [False, False, True],  # men_only
    ]
)


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
    kids = enc.s_children[si]
    children_ok = (
        (kids == 0) | ((kids == 1) & enc.h_children[hi]) | ((kids == 2) & ~enc.h_children[hi])
    )
    return {
        "language": language_ok(enc, si, hi),
        "pet": _none(enc.s_pet_allergy[si] & enc.h_pets[hi]),
        "pet_wish": _none(enc.s_avoid_pets[si] & enc.h_pets[hi]),
        "smoking": ~(enc.s_nonsmoke[si] & enc.h_smoking[hi]),
        "diet": _none(enc.s_diet[si] & ~enc.h_diet[hi]),
        "allergen": _none(enc.s_food[si] & ~enc.h_food[hi]),
        "alcohol": ~enc.s_alcohol_free[si] | enc.h_alcohol_free[hi],
        "gender": gender_ok,
        "household": _HOUSEHOLD_OK[enc.s_household[si], enc.h_household[hi]],
        "children": children_ok,
        "step_free": ~enc.s_step_free[si] | enc.h_step_free[hi],
        "prayer": ~enc.s_prayer[si] | enc.h_prayer[hi],
        "travel": t <= enc.s_max_travel[si],
        "forbidden": forbidden_code(enc, si, hi) < 0,
    }


def language_ok(enc: Encoded, si: IntA, hi: IntA) -> BoolA:
    """The programme's language rule (``LanguageRule``): a language both speak at its level,
    or the student's Japanese at the easy-Japanese level with a family that speaks slowly."""
    shape = np.broadcast(si, hi).shape
    if enc.lang_level == 0:
        return np.ones(shape, dtype=bool)
    k = enc.lang_level - 1
    ok: BoolA = np.asarray((enc.s_lang[k][si] & enc.h_lang[k][hi]).any(axis=-1), dtype=bool)
    if enc.easy_ja_level and "ja" in enc.languages:
        ja = enc.languages.index("ja")
        word, bit = ja >> 6, np.uint64(1 << (ja & 63))
        s_ja = (enc.s_lang[enc.easy_ja_level - 1][:, word] & bit) != 0
        ok = np.asarray(ok | (s_ja[si] & enc.h_easy_ja[hi]), dtype=bool)
    return ok


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
