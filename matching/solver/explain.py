"""Why an applicant was left out: reasons computed from the hard-rule masks, vectorised.

For each unplaced student (or family without a guest) and each (family, day) option on the
student's days, every hard rule is evaluated on its own.  A rule that alone leaves no option is
*binding* and reported with what it needs in ``params``; when no single rule is binding the
rules are applied cumulatively in the order of ``PAIR_RULES`` and the counts are reported
(``combination``).  When some options pass every rule, they were full before the round
(``full``) or given to others in this round (``taken``).  ``params`` carry everything a
translation needs (counts, date labels, minutes, diet and allergen codes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .encode import Encoded, travel_minutes
from .rules import PAIR_RULES, forbidden_code
from .tables import Tables, rule_blocks
from .types import (
    CHILDREN_PREFERENCES,
    FORBID_REASONS,
    GENDERS,
    HOUSEHOLD_GENDERS,
    HOUSEHOLD_PREFERENCES,
    LEVELS,
    Reason,
)

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]
BLOCK = 512

_FORBID_TEXT = {
    "coordinator": "forbidden by the coordinator",
    "declined": "declined in an earlier round",
    "met_before": "met before",
    "bad_feedback": "after negative feedback",
}


_GUEST_TEXT = {
    "female": "a female guest",
    "male": "a male guest",
    "nonbinary": "a non-binary guest",
    "unspecified": "a guest who did not give a gender",
}
# What each boolean need of a student asks of the home: (rule, English text).
_HOME_TEXT = {
    "alcohol": "no family on your dates keeps an alcohol-free home",
    "step_free": "no family on your dates has step-free access",
    "prayer": "no family on your dates has a quiet space for prayer",
}


def _applied(cum: dict[str, int], before: int) -> list[str]:
    """The rules, in order, that each removed some options, up to the one that left none."""
    applied = []
    for r in PAIR_RULES:
        if cum[r] < before:
            applied.append(r)
        before = cum[r]
        if before == 0:
            break
    return applied


def _labels(enc: Encoded, mask: npt.NDArray[np.bool_]) -> list[str]:
    return [enc.date_labels[d] for d in np.nonzero(mask)[0].tolist()]


def _join(items: list[str]) -> str:
    return " or ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " or " + items[-1]


def _plural(k: int, word: str) -> str:
    if k == 1:
        return f"{k} {word}"
    return f"{k} {word[:-1]}ies" if word.endswith("y") else f"{k} {word}s"


def _bits_of(value: int, vocab: tuple[str, ...]) -> list[str]:
    return [v for i, v in enumerate(vocab) if value >> i & 1]


def explain_students(t: Tables, rows: IntA, cap_left: IntA) -> list[list[Reason]]:
    """Reasons for each unplaced student row in ``rows`` (most binding first)."""
    enc = t.enc
    out: list[list[Reason]] = []
    hosts = np.arange(enc.m)[None, :]
    for lo in range(0, rows.size, BLOCK):
        blk = rows[lo : lo + BLOCK]
        si = blk[:, None]
        offered = (enc.s_dates[blk].astype(np.int32) @ enc.h_offers.T.astype(np.int32)) > 0
        seat = (enc.s_dates[blk].astype(np.int32) @ (enc.h_seats > 0).T.astype(np.int32)) > 0
        left = (enc.s_dates[blk].astype(np.int32) @ (cap_left > 0).T.astype(np.int32)) > 0
        rules = rule_blocks(t, si, hosts)
        tmin = travel_minutes(enc.s_lat[si], enc.s_lon[si], enc.h_lat[hosts], enc.h_lon[hosts])
        fcode = forbidden_code(enc, si, hosts)
        alone = {r: (offered & rules[r]).sum(1) for r in PAIR_RULES}
        cum = offered.copy()
        cum_counts: dict[str, IntA] = {}
        for r in PAIR_RULES:
            cum &= rules[r]
            cum_counts[r] = cum.sum(1)
        n_offered = offered.sum(1)
        n_fit = cum_counts[PAIR_RULES[-1]]
        n_fit_seat = (cum & seat).sum(1)
        n_fit_left = (cum & left).sum(1)
        for k, s in enumerate(blk.tolist()):
            out.append(
                _student_reasons(
                    enc,
                    s,
                    k,
                    int(n_offered[k]),
                    {r: int(alone[r][k]) for r in PAIR_RULES},
                    {r: int(cum_counts[r][k]) for r in PAIR_RULES},
                    int(n_fit[k]),
                    int(n_fit_seat[k]),
                    int(n_fit_left[k]),
                    offered[k],
                    tmin[k],
                    fcode[k],
                )
            )
    return out


def _student_reasons(
    enc: Encoded,
    s: int,
    k: int,
    n_offered: int,
    alone: dict[str, int],
    cum: dict[str, int],
    n_fit: int,
    n_fit_seat: int,
    n_fit_left: int,
    offered: BoolA,
    tmin: npt.NDArray[np.float64],
    fcode: IntA,
) -> list[Reason]:
    dates = _labels(enc, enc.s_dates[s])
    if n_offered == 0:
        return [
            Reason(
                "no_family_on_dates",
                {"dates": dates},
                f"no family offers {_join(dates) if dates else 'any of your dates'}",
            )
        ]
    out: list[Reason] = []
    base = {"dates": dates, "families_on_dates": n_offered}
    for r in PAIR_RULES:
        if alone[r] != 0:
            continue
        if r == "language":
            level = LEVELS[enc.lang_level - 1]
            out.append(
                Reason(
                    "language",
                    {**base, "level": level, "easy_japanese": bool(enc.easy_ja_level)},
                    f"no family on your dates shares a language with you at {level} level "
                    "or better",
                )
            )
        elif r == "pet_wish":
            pets = _bits_of(int(enc.s_avoid_pets[s]), enc.vocabulary.pets)
            names = " or ".join(p + "s" for p in pets)
            out.append(
                Reason(
                    "pet_wish",
                    {**base, "pets": pets},
                    f"every family on your dates keeps {names}, which you asked to avoid",
                )
            )
        elif r in _HOME_TEXT:
            out.append(Reason(r, base, _HOME_TEXT[r]))
        elif r == "household":
            pref = HOUSEHOLD_PREFERENCES[int(enc.s_household[s])]
            out.append(
                Reason(
                    "household",
                    {**base, "preference": pref},
                    f"no family on your dates has the household you asked for ({pref})",
                )
            )
        elif r == "children":
            pref = CHILDREN_PREFERENCES[int(enc.s_children[s])]
            out.append(
                Reason(
                    "children",
                    {**base, "preference": pref},
                    "no family on your dates has children at home"
                    if pref == "with_children"
                    else "every family on your dates has children at home",
                )
            )
        elif r == "pet":
            pets = _bits_of(int(enc.s_pet_allergy[s]), enc.vocabulary.pets)
            names = " or ".join(p + "s" for p in pets)
            out.append(
                Reason("pet", {**base, "pets": pets}, f"no family on your dates is free of {names}")
            )
        elif r == "smoking":
            out.append(Reason("smoking", base, "no family on your dates is smoke-free"))
        elif r in ("diet", "allergen"):
            # What no family on the dates caters for; when each is catered for by some family,
            # the student needs them all together.
            key, vocabulary, wanted, offered_bits, text = (
                ("diets", enc.vocabulary.diets, enc.s_diet_own[s], enc.h_diet, "caters for {}")
                if r == "diet"
                else (
                    "allergens",
                    enc.vocabulary.food_allergens,
                    enc.s_food[s],
                    enc.h_food,
                    "can keep {} out of the food",
                )
            )
            codes = _bits_of(int(wanted), vocabulary)
            bits = offered_bits[offered]
            # A diet is met with all it implies (halal: also no pork, no alcohol).
            need = {
                c: enc.diet_implied[vocabulary.index(c)]
                if r == "diet"
                else np.uint64(1 << vocabulary.index(c))
                for c in codes
            }
            missing = [c for c in codes if not ((need[c] & ~bits) == np.uint64(0)).any()]
            shown = missing or codes
            out.append(
                Reason(
                    r,
                    {**base, key: shown, "all_together": not missing},
                    "no family "
                    + text.format(" and ".join(shown))
                    + ("" if missing else " together"),
                )
            )
        elif r == "gender":
            g = GENDERS[int(enc.s_gender[s])]
            out.append(
                Reason(
                    "gender",
                    {**base, "gender": g},
                    f"no family on your dates welcomes {_GUEST_TEXT[g]}",
                )
            )
        elif r == "travel":
            limit = int(enc.s_max_travel[s])
            nearest = int(np.ceil(tmin[offered].min()))
            out.append(
                Reason(
                    "travel",
                    {**base, "minutes": limit, "nearest_minutes": nearest},
                    f"no family within {limit} minutes of travel "
                    f"(the nearest is about {nearest} minutes away)",
                )
            )
        elif r == "forbidden":
            codes = sorted({FORBID_REASONS[c] for c in fcode[offered].tolist() if c >= 0})
            out.append(
                Reason(
                    "forbidden",
                    {**base, "reasons": codes},
                    "; ".join(_FORBID_TEXT[c] for c in codes),
                )
            )
    if out:
        return out
    if n_fit == 0:
        applied = _applied(cum, n_offered)
        return [
            Reason(
                "combination",
                {**base, "rules": applied, "remaining": {r: cum[r] for r in applied}},
                "each rule alone leaves some families, but none meets all of: "
                + ", ".join(applied),
            )
        ]
    if n_fit_seat == 0:
        return [
            Reason(
                "full",
                {**base, "families": n_fit},
                f"the {_plural(n_fit, 'family')} that fit are full"
                if n_fit > 1
                else "the one family that fits is full",
            )
        ]
    return [
        Reason(
            "taken",
            {**base, "families": n_fit_seat, "free_now": n_fit_left},
            f"the {_plural(n_fit_seat, 'family')} that fit went to other students this round"
            if n_fit_seat > 1
            else "the one family that fits went to another student this round",
        )
    ]


_HOST_TEXT = {
    "language": "no student on your dates shares a language with you at the programme's level",
    "pet": "no student on your dates can stay with your pets",
    "pet_wish": "every student on your dates asked for a home without your pets",
    "smoking": "every student on your dates needs a smoke-free home",
    "diet": "every student on your dates needs a diet you do not cater for",
    "allergen": "every student on your dates has a food allergy you cannot cater for",
    "alcohol": "every student on your dates needs an alcohol-free home",
    "gender": "no student on your dates matches your guest preference",
    "household": "every student on your dates asked for a different household",
    "children": "no student on your dates wishes for a home like yours with or without children",
    "step_free": "every student on your dates needs step-free access",
    "prayer": "every student on your dates needs a space for prayer",
    "travel": "no student on your dates lives within their travel limit of your station",
}


def explain_hosts(t: Tables, cols: IntA) -> list[list[Reason]]:
    """Reasons for each family row in ``cols`` that got no student at all."""
    enc = t.enc
    out: list[list[Reason]] = []
    students = np.arange(enc.n)[:, None]
    for lo in range(0, cols.size, BLOCK):
        blk = cols[lo : lo + BLOCK]
        hi = blk[None, :]
        seat = enc.h_seats[blk] > 0  # (c, D)
        on_dates = (enc.s_dates.astype(np.int32) @ seat.T.astype(np.int32)) > 0  # (n, c)
        rules = rule_blocks(t, students, hi)
        fcode = forbidden_code(enc, students, hi)
        alone = {r: (on_dates & rules[r]).sum(0) for r in PAIR_RULES}
        cum = on_dates.copy()
        cum_counts = {}
        for r in PAIR_RULES:
            cum &= rules[r]
            cum_counts[r] = cum.sum(0)
        n_on = on_dates.sum(0)
        for k, h in enumerate(blk.tolist()):
            dates = _labels(enc, seat[k])
            base = {"dates": dates, "students_on_dates": int(n_on[k])}
            if not seat[k].any():
                offered = _labels(enc, enc.h_offers[h])
                out.append(
                    [
                        Reason(
                            "no_free_seat",
                            {"dates": offered},
                            "the family has no free seat left on its days",
                        )
                    ]
                )
                continue
            if n_on[k] == 0:
                out.append(
                    [Reason("no_student_on_dates", base, f"no student applied for {_join(dates)}")]
                )
                continue
            reasons = []
            for r in PAIR_RULES:
                if alone[r][k] == 0:
                    params = dict(base)
                    if r == "pet":
                        params["pets"] = _bits_of(int(enc.h_pets[h]), enc.vocabulary.pets)
                    if r == "gender":
                        params["preference"] = ("any", "female", "male")[int(enc.h_gender_pref[h])]
                    if r == "language":
                        params["level"] = LEVELS[enc.lang_level - 1]
                    if r == "household":
                        params["household"] = HOUSEHOLD_GENDERS[int(enc.h_household[h])]
                    if r == "forbidden":
                        # Say why each was excluded (met before, feedback), not "coordinator".
                        codes = sorted(
                            {FORBID_REASONS[c] for c in fcode[on_dates[:, k], k].tolist() if c >= 0}
                        )
                        params["reasons"] = codes
                        reasons.append(
                            Reason(
                                r,
                                params,
                                "the only students who fit are excluded: "
                                + "; ".join(_FORBID_TEXT[c] for c in codes),
                            )
                        )
                        continue
                    reasons.append(Reason(r, params, _HOST_TEXT[r]))
            if reasons:
                out.append(reasons)
                continue
            if cum_counts[PAIR_RULES[-1]][k] == 0:
                applied = _applied({r: int(cum_counts[r][k]) for r in PAIR_RULES}, int(n_on[k]))
                out.append(
                    [
                        Reason(
                            "combination",
                            {
                                **base,
                                "rules": applied,
                                "remaining": {r: int(cum_counts[r][k]) for r in applied},
                            },
                            "each rule alone leaves some students, but none meets all "
                            "of: " + ", ".join(applied),
                        )
                    ]
                )
                continue
            n_fit = int(cum_counts[PAIR_RULES[-1]][k])
            out.append(
                [
                    Reason(
                        "taken",
                        {**base, "students": n_fit},
                        f"the {_plural(n_fit, 'student')} who fit were placed with other families"
                        if n_fit > 1
                        else "the one student who fits was placed with another family",
                    )
                ]
            )
    return out
