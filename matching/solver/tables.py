"""Fast evaluation of the mask and the scores through small lookup tables.

Many applicants share the same categorical needs, the same station or the same languages, so each
rule and criterion is first evaluated with the reference formulas of ``encode`` / ``score`` on
one representative per distinct profile (a few hundred x a few thousand cells), then gathered for
a block of students x all hosts (or for an aligned list of pairs).  The values are identical to
the reference formulas by construction; a test checks it against a Python double loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .encode import Encoded
from .rules import CATEGORICAL_RULES, forbidden_code, language_ok, pair_rules
from .score import (
    CRITERIA,
    INTEREST_CAP,
    fairness_host_raw,
    fairness_student_raw,
    household_raw,
    raw_criteria,
    reliability_raw,
)

BoolA = npt.NDArray[np.bool_]
IntA = npt.NDArray[Any]

# Beyond this many cells a station table is not worth it: compute travel pair by pair.
_MAX_TABLE_CELLS = 8_000_000


def _profiles(*cols: npt.NDArray[Any]) -> tuple[IntA, IntA]:
    """(representative row of each distinct profile, profile index of each row)."""
    if len(cols[0]) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    stacked = np.column_stack([np.asarray(c).reshape(len(c), -1).view(np.int64) for c in cols])
    _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    return first.astype(np.int64), inverse.reshape(-1).astype(np.int64)


@dataclass
class Tables:
    enc: Encoded
    weights: dict[str, float]
    quantum: float
    s_cat: IntA
    h_cat: IntA
    compat: BoolA  # (student categorical profile, host categorical profile)
    rule_compat: dict[str, BoolA]  # the same, one table per categorical rule (explanations)
    lang_ok: BoolA  # (student language profile, host language profile): the language rule
    s_tr: IntA
    h_tr: IntA
    travel_ok: BoolA | None  # (student station+limit, host station) or None: compute directly
    travel_q: IntA | None
    s_lp: IntA
    h_lp: IntA
    lang_q: IntA
    int_q: IntA  # points by number of shared interests
    house_q: IntA  # (2, m): without / with a kids-loving student
    fs_q: IntA
    fh_q: IntA
    # reliability by (student faults profile, host faults profile): few distinct counts
    s_rp: IntA
    h_rp: IntA
    rel_q: IntA
    date_q: IntA  # (n, D) points of the student's wish for each day
    date_full: int  # ... for the first choice, the most a day can give
    day_loss: IntA  # (n, D) int64 date_full - date_q: what a visit on that day gives up
    # host profiles of (language, station): a block gathers language + travel for these few
    # columns and then takes them per host once, instead of twice over all hosts
    h_lt: IntA
    lt_lp: IntA
    lt_tr: IntA


def build_tables(enc: Encoded, weights: Mapping[str, float], quantum: float) -> Tables:
    def q(raw: npt.NDArray[np.float64], name: str) -> IntA:
        # int32: a pair is worth at most 8 x MAX_WEIGHT / quantum < 2**31 units.
        return np.rint(raw * (weights[name] / quantum)).astype(np.int32)

    s_rep, s_cat = _profiles(
        enc.s_pet_allergy,
        enc.s_avoid_pets,
        enc.s_diet,
        enc.s_food,
        enc.s_gender,
        enc.s_household,
        enc.s_children,
        np.column_stack((enc.s_nonsmoke, enc.s_alcohol_free, enc.s_step_free, enc.s_prayer)).astype(
            np.int64
        ),
    )
    h_rep, h_cat = _profiles(
        enc.h_pets,
        enc.h_diet,
        enc.h_food,
        enc.h_gender_pref,
        enc.h_household,
        np.column_stack(
            (enc.h_smoking, enc.h_alcohol_free, enc.h_step_free, enc.h_prayer, enc.h_children)
        ).astype(np.int64),
    )
    rules = pair_rules(enc, s_rep[:, None], h_rep[None, :])
    compat = np.logical_and.reduce([rules[r] for r in CATEGORICAL_RULES])

    st_rep, s_tr = _profiles(enc.s_lat, enc.s_lon, enc.s_max_travel)
    ht_rep, h_tr = _profiles(enc.h_lat, enc.h_lon)
    travel_ok: BoolA | None = None
    travel_q: IntA | None = None
    if st_rep.size * ht_rep.size <= _MAX_TABLE_CELLS:
        travel_ok = pair_rules(enc, st_rep[:, None], ht_rep[None, :])["travel"]
        travel_q = q(raw_criteria(enc, st_rep[:, None], ht_rep[None, :])["travel"], "travel")

    s_lang_cols = [*enc.s_lang, enc.s_ja_native.astype(np.int64), enc.s_ja.astype(np.int64)]
    h_lang_cols = [*enc.h_lang, enc.h_ja.astype(np.int64), enc.h_easy_ja.astype(np.int64)]
    sl_rep, s_lp = _profiles(*s_lang_cols)
    hl_rep, h_lp = _profiles(*h_lang_cols)
    lang_q = q(raw_criteria(enc, sl_rep[:, None], hl_rep[None, :])["language"], "language")
    lang_ok = language_ok(enc, sl_rep[:, None], hl_rep[None, :])

    n_int = len(enc.interests)
    counts = np.minimum(np.arange(n_int + 1), INTEREST_CAP) / INTEREST_CAP
    # household depends on the student only through "likes children": a row for each value.
    kids = np.array([[False], [True]])
    house_raw = household_raw(kids, enc.h_children[None, :])
    lt_rep, h_lt = _profiles(h_lp, h_tr)
    date_q = q(enc.s_date_pref, "dates")
    date_full = int(q(np.ones(1), "dates")[0])
    sr_rep, s_rp = _profiles(enc.s_faults)
    hr_rep, h_rp = _profiles(enc.h_faults)
    rel_raw = reliability_raw(enc.s_faults[sr_rep][:, None], enc.h_faults[hr_rep][None, :])
    return Tables(
        enc=enc,
        weights=dict(weights),
        quantum=quantum,
        s_cat=s_cat,
        h_cat=h_cat,
        compat=compat,
        rule_compat={r: rules[r] for r in CATEGORICAL_RULES},
        lang_ok=lang_ok,
        s_tr=s_tr,
        h_tr=h_tr,
        travel_ok=travel_ok,
        travel_q=travel_q,
        s_lp=s_lp,
        h_lp=h_lp,
        lang_q=lang_q,
        int_q=q(counts, "interests"),
        house_q=q(house_raw, "household"),
        fs_q=q(fairness_student_raw(enc.s_unplaced), "fairness_student"),
        date_q=date_q,
        date_full=date_full,
        day_loss=date_full - date_q.astype(np.int64),
        fh_q=q(fairness_host_raw(enc.h_hosted, enc.h_unplaced), "fairness_host"),
        s_rp=s_rp,
        h_rp=h_rp,
        rel_q=q(rel_raw, "reliability"),
        h_lt=h_lt,
        lt_lp=h_lp[lt_rep],
        lt_tr=h_tr[lt_rep],
    )


def rule_blocks(t: Tables, si: IntA, hi: IntA) -> dict[str, BoolA]:
    """Every date-independent hard rule separately, for a block (si (r,1), hi (1,c))."""
    rows, cols = si[:, 0], hi[0]
    out = {
        r: np.take(tab[t.s_cat[rows]], t.h_cat[cols], axis=1) for r, tab in t.rule_compat.items()
    }
    out["language"] = np.take(t.lang_ok[t.s_lp[rows]], t.h_lp[cols], axis=1)
    if t.travel_ok is not None:
        out["travel"] = np.take(t.travel_ok[t.s_tr[rows]], t.h_tr[cols], axis=1)
    else:
        out["travel"] = pair_rules(t.enc, si, hi)["travel"]
    out["forbidden"] = forbidden_code(t.enc, si, hi) < 0
    return out


def feasible(t: Tables, si: IntA, hi: IntA) -> BoolA:
    """Date-independent hard rules for a block (si (r,1), hi (1,m)) or aligned pairs."""
    block = si.ndim == 2 and hi.ndim == 2 and si.shape[1] == 1 and hi.shape[0] == 1
    ok: BoolA
    if block:
        # table rows for the students, then columns with one np.take (no 2-D fancy indexing)
        ok = np.take(t.compat[t.s_cat[si[:, 0]]], t.h_cat[hi[0]], axis=1)
    else:
        ok = t.compat[t.s_cat[si], t.h_cat[hi]]
    if t.enc.lang_level:
        if block:
            ok &= np.take(t.lang_ok[t.s_lp[si[:, 0]]], t.h_lp[hi[0]], axis=1)
        else:
            ok &= t.lang_ok[t.s_lp[si], t.h_lp[hi]]
    if t.travel_ok is not None and block:
        ok &= np.take(t.travel_ok[t.s_tr[si[:, 0]]], t.h_tr[hi[0]], axis=1)
    elif t.travel_ok is not None:
        ok &= t.travel_ok[t.s_tr[si], t.h_tr[hi]]
    else:
        ok &= pair_rules(t.enc, si, hi)["travel"]
    enc = t.enc
    if enc.forbid_pair.size:
        if si.ndim == 2 and si.shape[1] == 1 and hi.ndim == 2:
            # A block of consecutive rows: only the forbidden pairs of those rows matter.
            rows = si[:, 0]
            lo = np.searchsorted(enc.forbid_pair, int(rows[0]) * enc.m)
            hi_ = np.searchsorted(enc.forbid_pair, (int(rows[-1]) + 1) * enc.m)
            fp = enc.forbid_pair[lo:hi_]
            ok[fp // enc.m - rows[0], fp % enc.m] = False
        else:
            ok &= forbidden_code(enc, si, hi) < 0
    return ok


def points(t: Tables, si: IntA, hi: IntA, di: IntA | None = None) -> dict[str, IntA]:
    """Quantised points per criterion (units of ``t.quantum``), same broadcasting as feasible;
    ``dates`` on the visit's day ``di``, or at the student's first choice when None."""
    shape = np.broadcast(si, hi).shape
    if si.ndim == 2 and hi.ndim == 2 and si.shape[1] == 1 and hi.shape[0] == 1:
        # A block: gather table rows for the students, then columns with one np.take each
        # (much faster than 2-D fancy indexing); interests by AND + popcount.
        rows, cols = si[:, 0], hi[0]
        shared = _shared_block(t, rows, cols)
        return {
            "language": np.take(t.lang_q[t.s_lp[rows]], t.h_lp[cols], axis=1),
            "interests": np.take(t.int_q, shared),
            "travel": (
                np.take(t.travel_q[t.s_tr[rows]], t.h_tr[cols], axis=1)
                if t.travel_q is not None
                else _travel_direct(t, si, hi)
            ),
            "household": np.take(t.house_q, cols, axis=1)[t.enc.s_kids[rows].astype(np.int64)],
            "dates": _dates(t, si, di, shape),
            "fairness_student": np.broadcast_to(t.fs_q[si], shape),
            "fairness_host": np.broadcast_to(t.fh_q[hi], shape),
            "reliability": np.take(t.rel_q[t.s_rp[rows]], t.h_rp[cols], axis=1),
        }
    shared64 = np.bitwise_count(t.enc.s_int[si] & t.enc.h_int[hi]).sum(-1, dtype=np.int64)
    return {
        "language": t.lang_q[t.s_lp[si], t.h_lp[hi]],
        "interests": t.int_q[shared64],
        "travel": (
            t.travel_q[t.s_tr[si], t.h_tr[hi]]
            if t.travel_q is not None
            else _travel_direct(t, si, hi)
        ),
        "household": t.house_q[t.enc.s_kids[si].astype(np.int64), hi],
        "dates": _dates(t, si, di, shape),
        "fairness_student": np.broadcast_to(t.fs_q[si], shape),
        "fairness_host": np.broadcast_to(t.fh_q[hi], shape),
        "reliability": t.rel_q[t.s_rp[si], t.h_rp[hi]],
    }


def _dates(t: Tables, si: IntA, di: IntA | None, shape: tuple[int, ...]) -> IntA:
    """Points of the student's wish for the visit's day (None: the first choice)."""
    if di is None:
        return np.full(shape, t.date_full, dtype=np.int32)
    out: IntA = np.broadcast_to(t.date_q[si, di], shape)
    return out


def _shared_block(t: Tables, rows: IntA, cols: IntA) -> IntA:
    """Shared interests of a block by AND + popcount of the bitsets.

    Plain single-threaded ufuncs: a float matrix product would be as fast, but BLAS threads
    spin between the blocks and burn CPU on a shared machine.
    """
    s, h = t.enc.s_int[rows], t.enc.h_int[cols]
    out: IntA = np.bitwise_count(s[:, None, 0] & h[None, :, 0])  # uint8
    if s.shape[1] > 1:  # more than 64 interests: counts may pass 255
        out = out.astype(np.int32)
    for k in range(1, s.shape[1]):
        out += np.bitwise_count(s[:, None, k] & h[None, :, k])
    return out


def _travel_direct(t: Tables, si: IntA, hi: IntA) -> IntA:
    raw = raw_criteria(t.enc, si, hi)["travel"]
    return np.rint(raw * (t.weights["travel"] / t.quantum)).astype(np.int32)


def total(
    t: Tables,
    si: IntA,
    hi: IntA,
    criteria: tuple[str, ...] = CRITERIA,
    di: IntA | None = None,
) -> IntA:
    """Sum of the quantised points of ``criteria`` (int32 for a block, int64 for pairs);
    ``dates`` on day ``di``, or at the student's first choice (always so for a block)."""
    if di is None and si.ndim == 2 and hi.ndim == 2 and si.shape[1] == 1 and hi.shape[0] == 1:
        return _total_block(t, si[:, 0], hi[0], criteria)
    p = points(t, si, hi, di)
    out = np.zeros(np.broadcast(si, hi).shape, dtype=np.int64)
    for c in criteria:
        out += p[c]
    return out


def _total_block(t: Tables, rows: IntA, cols: IntA, criteria: tuple[str, ...]) -> IntA:
    """The block case of ``total``, summed in place (no array per criterion)."""
    lang, travel = "language" in criteria, "travel" in criteria
    out: IntA
    if lang and travel and t.travel_q is not None:
        # language + travel for the few (language, station) host profiles, then one take
        lt = np.take(t.lang_q[t.s_lp[rows]], t.lt_lp, axis=1)
        lt += np.take(t.travel_q[t.s_tr[rows]], t.lt_tr, axis=1)
        out = np.take(lt, t.h_lt[cols], axis=1)
        lang = travel = False
    else:
        out = np.zeros((rows.size, cols.size), dtype=np.int32)
    if lang:
        out += np.take(t.lang_q[t.s_lp[rows]], t.h_lp[cols], axis=1)
    if "interests" in criteria:
        out += np.take(t.int_q, _shared_block(t, rows, cols))
    if travel:
        if t.travel_q is not None:
            out += np.take(t.travel_q[t.s_tr[rows]], t.h_tr[cols], axis=1)
        else:
            out += _travel_direct(t, rows[:, None], cols[None, :])
    # the host-only terms as one row, plus the children bonus on the rows that want it
    host_row = np.zeros(cols.size, dtype=np.int32)
    if "household" in criteria:
        house = t.house_q[:, cols]
        host_row += house[0]
        kids = t.enc.s_kids[rows]
        if kids.any():
            out[kids] += house[1] - house[0]
    if "fairness_host" in criteria:
        host_row += t.fh_q[cols]
    out += host_row[None, :]
    if "dates" in criteria:
        out += t.date_full
    if "fairness_student" in criteria:
        out += t.fs_q[rows][:, None]
    if "reliability" in criteria:
        out += np.take(t.rel_q[t.s_rp[rows]], t.h_rp[cols], axis=1)
    return out
