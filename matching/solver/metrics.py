"""Measures of a result: welfare, fairness, blocking pairs, and an independent hard-rule check."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from . import tables
from .graph import BLOCK, Graph
from .score import HOST_VIEW, STUDENT_VIEW
from .tables import Tables
from .types import HostIn, Problem, Result, StudentIn

IntA = npt.NDArray[Any]

HISTOGRAM_EDGES: tuple[float, ...] = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)


def histogram(scores: list[float]) -> dict[str, Any]:
    """Counts per fixed bin of 10 points; the last bin also takes anything above 100."""
    edges = np.array(HISTOGRAM_EDGES, dtype=np.float64)
    clipped = np.minimum(np.asarray(scores, dtype=np.float64), edges[-1] - 1e-9)
    counts, _ = np.histogram(clipped, bins=edges)
    return {"edges": list(HISTOGRAM_EDGES), "counts": counts.astype(int).tolist()}


def blocking_pairs(t: Tables, g: Graph, assigned: IntA) -> int:
    """(student, family, day) triples that would both rather be together than as assigned.

    The student strictly prefers the family on that day (student view; any feasible seat
    beats none) and the slot has a free seat or holds a student the family ranks strictly
    lower (host view).  Vectorised over blocks of students x all families, one day at a time.
    """
    enc = t.enc
    n, m = enc.n, enc.m
    placed = np.nonzero(assigned >= 0)[0]
    host_of = g.slot_host[assigned[placed]]
    day_of = g.slot_date[assigned[placed]]
    sv_cur = np.full(n, -1, dtype=np.int64)
    sv_cur[placed] = tables.total(t, placed, host_of, STUDENT_VIEW, day_of)
    loss = t.day_loss if "dates" in STUDENT_VIEW else np.zeros_like(t.day_loss)
    hv_at = tables.total(t, placed, host_of, HOST_VIEW)
    load = np.bincount(assigned[placed], minlength=g.n_slots)
    worst = np.full(g.n_slots, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(worst, assigned[placed], hv_at)
    # one padding slot at the end, so a "no slot" index (-1) reads harmless values
    free = np.append(g.slot_cap - load, 0)
    worst = np.append(worst, np.iinfo(np.int64).max)
    hosts = np.arange(m)[None, :]
    count = 0
    for start in range(0, n, BLOCK):
        rows = np.arange(start, min(start + BLOCK, n))
        ok = tables.feasible(t, rows[:, None], hosts)
        sv = tables.total(t, rows[:, None], hosts, STUDENT_VIEW)  # on the first choice
        hv = tables.total(t, rows[:, None], hosts, HOST_VIEW)
        for d in range(enc.n_dates):
            j = g.slot_of[:, d]
            has = j >= 0
            jj = np.where(has, j, g.n_slots)
            open_ = has & (free[jj] > 0)
            w_d = np.where(has & (free[jj] <= 0), worst[jj], np.iinfo(np.int64).max)
            better = sv - loss[rows, d][:, None] > sv_cur[rows][:, None]
            hit = ok & better & enc.s_dates[rows, d][:, None]
            hit &= open_[None, :] | (hv > w_d[None, :])
            hit &= has[None, :]
            count += int(np.count_nonzero(hit))
    return count


def _travel(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Door-to-door minutes, written again with ``math`` so the check is independent."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))
    return 10.0 + km * 1.3 / 0.95


def _diets(codes: tuple[str, ...], implies: dict[str, tuple[str, ...]]) -> set[str]:
    out, todo = set(codes), list(codes)
    while todo:
        for d in implies.get(todo.pop(), ()):
            if d not in out:
                out.add(d)
                todo.append(d)
    return out


_LEVEL = {"beginner": 1, "intermediate": 2, "advanced": 3, "native": 4}
_HOUSEHOLD = {
    "any": {"mixed", "women_only", "men_only"},
    "woman_at_home": {"mixed", "women_only"},
    "women_only": {"women_only"},
    "man_at_home": {"mixed", "men_only"},
    "men_only": {"men_only"},
}


def rule_breaks(problem: Problem, s: StudentIn, h: HostIn) -> list[str]:
    """The hard rules (not the date) that the pair breaks, checked pair by pair in plain Python."""
    vocab = problem.vocabulary
    implies = dict(vocab.diet_implies)
    out = []
    rule = problem.language_rule
    if rule is not None:
        shared = any(
            min(_LEVEL[lvl], _LEVEL[h.languages[c]]) >= _LEVEL[rule.level]
            for c, lvl in s.languages.items()
            if c in h.languages
        )
        easy = (
            rule.easy_japanese_level is not None
            and h.easy_japanese
            and "ja" in h.languages
            and _LEVEL.get(s.languages.get("ja", ""), 0) >= _LEVEL[rule.easy_japanese_level]
        )
        if not (shared or easy):
            out.append("language")
    if set(s.allergies) & set(vocab.pet_allergens) & set(h.pets):
        out.append("pet allergy")
    if set(s.avoid_pets) & set(h.pets):
        out.append("pet wish")
    if s.needs_non_smoking and h.smoking:
        out.append("smoking")
    if not _diets(s.diet, implies) <= _diets(h.diets_supported, implies):
        out.append("diet")
    if not set(s.allergies) & set(vocab.food_allergens) <= set(h.allergens_avoidable):
        out.append("food allergen")
    if s.needs_alcohol_free and not h.alcohol_free:
        out.append("alcohol-free home")
    pref = h.guest_gender_preference
    if pref != "any" and s.gender != pref:
        out.append("gender preference")
    if h.household_genders not in _HOUSEHOLD[s.household_preference]:
        out.append("household")
    if s.children_preference != "any" and h.has_children != (
        s.children_preference == "with_children"
    ):
        out.append("children")
    if s.needs_step_free and not h.step_free:
        out.append("step-free access")
    if s.needs_prayer_space and not h.prayer_space:
        out.append("prayer space")
    if _travel(s.lat, s.lon, h.lat, h.lon) > s.max_travel_minutes:
        out.append("travel time")
    if (s.key, h.key) in problem.forbidden:
        out.append("forbidden pair")
    return out


def list_hard_rule_violations(problem: Problem, result: Result) -> list[str]:
    """Every broken hard rule, seat count or pin in ``result``, re-checked pair by pair."""
    students = {s.key: s for s in problem.students}
    hosts = {h.key: h for h in problem.hosts}
    out: list[str] = []
    seen: set[int] = set()
    used: dict[tuple[int, int], int] = {}
    for a in result.assignments:
        s, h = students.get(a.student_key), hosts.get(a.host_key)
        tag = f"({a.student_key}, {a.host_key}, {a.date_index})"
        if s is None or h is None:
            out.append(f"{tag}: unknown student or host")
            continue
        if a.student_key in seen:
            out.append(f"{tag}: student placed twice")
        seen.add(a.student_key)
        used[(h.key, a.date_index)] = used.get((h.key, a.date_index), 0) + 1
        if a.date_index not in s.dates or h.seats.get(a.date_index, 0) <= 0:
            out.append(f"{tag}: no shared date with a free seat")
        out.extend(f"{tag}: {rule}" for rule in rule_breaks(problem, s, h))
    for (hk, d), k in used.items():
        if k > hosts[hk].seats.get(d, 0):
            out.append(f"({hk}, {d}): {k} students for {hosts[hk].seats.get(d, 0)} seats")
    placed = {(a.student_key, a.host_key) for a in result.assignments}
    for sk, hk in problem.pins:
        if (sk, hk) not in placed:
            out.append(f"pin ({sk}, {hk}) not kept")
    return out


def hard_rule_violations(problem: Problem, result: Result) -> int:
    """Number of broken hard rules, over-filled seats and unkept pins (0 for a valid result)."""
    return len(list_hard_rule_violations(problem, result))
