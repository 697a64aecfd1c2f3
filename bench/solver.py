"""Benchmark of matching.solver on seeded synthetic rounds (a script, not a test).

    .venv/bin/python bench/solver.py            # every regime (below)
    .venv/bin/python bench/solver.py --quick    # seats for all at 100 and 1 000
    .venv/bin/python bench/solver.py --sizes 6000 --regimes seats_all,stable

Regimes (``REGIMES``): optimal mode with seats for all (0.55 families per student), seats
short (0.35 families per student: every seat taken, a fifth of the students left out), ties
everywhere (all profiles identical), stable mode, and a round with 10 % of the students in
friend pairs (groups).
Each (regime, size) runs in its own subprocess (so peak RSS is per run).  Side by side on the same
instance: OR-tools min-cost flow on the same integer scores with the same big-M, the
``matching`` package's HospitalResident (<= 1 000 students; run from /tmp because the PyPI
package and ours share the name ``matching``), a greedy, and scores built by a Python double
loop (<= 1 000, time and equality only).  Writes bench/results/solver.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.instances import add_friend_pairs, make_identical, make_problem  # noqa: E402
from matching.solver import HOST_VIEW, STUDENT_VIEW, hard_rule_violations, solve  # noqa: E402
from matching.solver import tables as T  # noqa: E402
from matching.solver.encode import encode  # noqa: E402
from matching.solver.graph import build_graph, pair_slots, slot_weights  # noqa: E402
from matching.solver.pipeline import choose_quantum  # noqa: E402
from matching.solver.score import INTEREST_CAP, resolve_weights  # noqa: E402
from matching.solver.types import Problem  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "solver.json"
LEVEL = {"beginner": 1, "intermediate": 2, "advanced": 3, "native": 4}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _edges(p: Problem) -> dict[str, Any]:
    enc = encode(p)
    weights = resolve_weights(p.weights)
    q = choose_quantum(enc.n, weights)
    tab = T.build_tables(enc, weights, q)
    g = build_graph(tab, 0)
    pi, j = pair_slots(g, enc.s_dates, g.rows(), g.host.astype(np.int64))
    order = np.lexsort((j, g.row_of(pi)))
    pi, j = pi[order], j[order]
    s = g.row_of(pi)
    return {
        "enc": enc,
        "tab": tab,
        "g": g,
        "q": q,
        "pi": pi,
        "s": s,
        "j": j,
        "w": slot_weights(g, s, g.w[pi], j),  # each slot on its own day
    }


def run_ortools(e: dict[str, Any]) -> dict[str, Any]:
    from ortools.graph.python import min_cost_flow

    g, s, j, w = e["g"], e["s"], e["j"], e["w"]
    n, n_slots = g.n, g.n_slots
    t0 = time.perf_counter()
    c0 = time.process_time()
    big_m = int(w.max()) * n + 1 if w.size else 1
    src, sink = n + n_slots, n + n_slots + 1
    f = min_cost_flow.SimpleMinCostFlow()
    st = np.arange(n)
    tails = np.concatenate([np.full(n, src), st, n + np.arange(n_slots), s])
    heads = np.concatenate([st, np.full(n, sink), np.full(n_slots, sink), n + j])
    caps = np.concatenate([np.ones(2 * n, np.int64), g.slot_cap, np.ones(s.size, np.int64)])
    costs = np.concatenate([np.zeros(2 * n + n_slots, np.int64), -(big_m + w)])
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    f.set_node_supply(src, n)
    f.set_node_supply(sink, -n)
    status = f.solve()
    ms = (time.perf_counter() - t0) * 1e3
    cpu_ms = (time.process_time() - c0) * 1e3
    flows = np.array(f.flows(np.arange(2 * n + n_slots, 2 * n + n_slots + s.size)))
    placed = int(flows.sum())
    total = -f.optimal_cost() - placed * big_m
    return {
        "ms": round(ms, 1),
        "cpu_ms": round(cpu_ms, 1),
        "status": int(status),
        "placed": placed,
        "total_score": total * e["q"],
    }


def run_greedy(e: dict[str, Any]) -> dict[str, Any]:
    """Highest-score pair first, if the student is free and the slot has a seat."""
    g, s, j, w = e["g"], e["s"], e["j"], e["w"]
    t0 = time.perf_counter()
    order = np.argsort(-w, kind="stable")
    s_o, j_o, w_o = s[order], j[order], w[order]
    left = g.slot_cap.copy()
    placed = np.zeros(g.n, dtype=bool)
    total = 0
    chunk = 200_000
    for lo in range(0, s_o.size, chunk):
        cs, cj, cw = s_o[lo : lo + chunk], j_o[lo : lo + chunk], w_o[lo : lo + chunk]
        keep = ~placed[cs] & (left[cj] > 0)
        for a, b, c in zip(cs[keep].tolist(), cj[keep].tolist(), cw[keep].tolist(), strict=True):
            if not placed[a] and left[b] > 0:
                placed[a] = True
                left[b] -= 1
                total += c
        if placed.all() or not (left > 0).any():
            break
    return {
        "ms": round((time.perf_counter() - t0) * 1e3, 1),
        "placed": int(placed.sum()),
        "total_score": total * e["q"],
    }


def _py_travel(a: Any, b: Any) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 10.0 + 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h))) * (1.3 / 0.95)


def run_python_loop(p: Problem, e: dict[str, Any]) -> dict[str, Any]:
    """Mask and integer scores pair by pair in plain Python; compared with the vectorised ones."""
    weights = resolve_weights(p.weights)
    q = e["q"]
    t0 = time.perf_counter()
    out: dict[tuple[int, int], int] = {}
    for si, s in enumerate(p.students):
        s_pets = set(p.vocabulary.pet_allergens) & set(s.allergies)
        s_food = set(p.vocabulary.food_allergens) & set(s.allergies)
        kids = bool({"children", "kids"} & set(s.interests))
        for hi, h in enumerate(p.hosts):
            if s_pets & set(h.pets) or (s.needs_non_smoking and h.smoking):
                continue
            if not set(s.diet) <= set(h.diets_supported) or not s_food <= set(
                h.allergens_avoidable
            ):
                continue
            if h.guest_gender_preference != "any" and s.gender != h.guest_gender_preference:
                continue
            t = _py_travel(s, h)
            if t > s.max_travel_minutes or (s.key, h.key) in p.forbidden:
                continue
            if not any(h.seats.get(d, 0) > 0 for d in s.dates):
                continue
            best = max(
                (
                    min(LEVEL[lv], LEVEL[h.languages[c]])
                    for c, lv in s.languages.items()
                    if c in h.languages
                ),
                default=0,
            )
            practice = "ja" in h.languages and s.languages.get("ja") != "native"
            raw = {
                "language": 0.7 * best / 4.0 + 0.3 * practice,
                "interests": min(len(set(s.interests) & set(h.interests)), INTEREST_CAP)
                / INTEREST_CAP,
                "travel": min(
                    1.0,
                    max(0.0, (s.max_travel_minutes - t) / max(s.max_travel_minutes - 10.0, 1.0)),
                ),
                "household": 0.6 * (kids and h.has_children)
                + 0.4 * min(max(h.household_size - 1, 0), 3) / 3.0,
                "fairness_student": min(s.times_unplaced, 3) / 3.0,
                "fairness_host": 0.5 / (1.0 + h.times_hosted)
                + 0.5 * min(h.times_unplaced, 3) / 3.0,
                "reliability": 0.5 / (1.0 + s.no_shows) + 0.5 / (1.0 + h.late_cancellations),
            }
            out[(si, hi)] = sum(round(raw[c] * (weights[c] / q)) for c in raw)
    ms = (time.perf_counter() - t0) * 1e3
    g = e["g"]
    vec = dict(zip(zip(g.rows().tolist(), g.host.tolist(), strict=True), g.w.tolist(), strict=True))
    same_mask = set(out) == set(vec)
    diff = sum(1 for k in out if k in vec and abs(out[k] - vec[k]) > 1)
    return {"ms": round(ms, 1), "pairs": len(out), "same_mask": same_mask, "score_mismatches": diff}


HR_CHILD = """
import json, sys, threading, time
from matching.games import HospitalResident
# the library deep-copies its players (deep recursion): a big stack and recursion limit
sys.setrecursionlimit(1_000_000)
threading.stack_size(512 * 1024 * 1024)
def main():
    d = json.load(open(sys.argv[1]))
    t = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(d["r"], d["h"], d["c"])
    m = game.solve(optimal="resident")
    ms = (time.perf_counter() - t) * 1e3
    print(json.dumps({"ms": ms, "m": {h.name: [r.name for r in rs] for h, rs in m.items()}}))
th = threading.Thread(target=main)
th.start()
th.join()
"""


def run_hospital_resident(e: dict[str, Any]) -> dict[str, Any]:
    tab, s, j, pi = e["tab"], e["s"], e["j"], e["pi"]
    g = e["g"]
    sv = T.total(tab, s, g.host[pi].astype(np.int64), STUDENT_VIEW)
    hv = T.total(tab, s, g.host[pi].astype(np.int64), HOST_VIEW)
    rp: dict[str, list[str]] = {}
    for a, b in zip(
        *(x.tolist() for x in (s[np.lexsort((j, -sv, s))], j[np.lexsort((j, -sv, s))])), strict=True
    ):
        rp.setdefault(f"s{a}", []).append(f"j{b}")
    hp: dict[str, list[str]] = {f"j{b}": [] for b in range(g.n_slots)}
    for a, b in zip(
        *(x.tolist() for x in (s[np.lexsort((s, -hv, j))], j[np.lexsort((s, -hv, j))])), strict=True
    ):
        hp[f"j{b}"].append(f"s{a}")
    caps = {f"j{b}": int(c) for b, c in enumerate(g.slot_cap.tolist())}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"r": rp, "h": hp, "c": caps}, fh)
    out = subprocess.run(
        [sys.executable, "-I", "-c", HR_CHILD, fh.name],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    Path(fh.name).unlink()
    res = json.loads(out.stdout)
    w = {(a, b): c for a, b, c in zip(s.tolist(), j.tolist(), e["w"].tolist(), strict=True)}
    total = 0
    placed = 0
    for hname, rs in res["m"].items():
        for r in rs:
            total += w[(int(r[1:]), int(hname[1:]))]
            placed += 1
    return {"ms": round(res["ms"], 1), "placed": placed, "total_score": total * e["q"]}


REGIMES: dict[str, tuple[int, ...]] = {
    "seats_all": (100, 1000, 6000, 10000),
    "seats_short": (10000,),
    "identical": (10000,),
    "identical_short": (4000,),
    "stable": (10000,),
    "groups": (2000,),
}


def make_regime(regime: str, n: int, seed: int) -> Problem:
    if regime == "seats_all":
        return make_problem(n, seed=seed)
    if regime == "seats_short":
        return make_problem(n, seed=seed, families_per_student=0.35)
    if regime == "identical":
        return make_identical(n, seed=seed)
    if regime == "identical_short":  # ties everywhere, a seat for a quarter
        return make_identical(n, seed=seed, families_per_student=0.25)
    if regime == "stable":
        return make_problem(n, seed=seed, mode="stable")
    if regime == "groups":
        return add_friend_pairs(make_problem(n, seed=seed), 0.1, seed=seed)
    raise ValueError(f"unknown regime {regime!r} (known: {', '.join(REGIMES)})")


def child(regime: str, n: int, seed: int) -> dict[str, Any]:
    p = make_regime(regime, n, seed)
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    r = solve(p)
    wall = (time.perf_counter() - t0) * 1e3
    rss1 = _rss_mb()
    st = r.stats
    row: dict[str, Any] = {
        "regime": regime,
        "students": st["students"],
        "hosts": st["hosts"],
        "slots": st["slots"],
        "feasible_pairs": st["feasible_pairs"],
        "encode_ms": st["encode_ms"],
        "assign_ms": st["assign_ms"],
        "explain_ms": st["explain_ms"],
        "metrics_ms": st["metrics_ms"],
        "solve_ms": st["solve_ms"],
        "encode_cpu_ms": st["encode_cpu_ms"],
        "assign_cpu_ms": st["assign_cpu_ms"],
        "explain_cpu_ms": st["explain_cpu_ms"],
        "solve_cpu_ms": st["solve_cpu_ms"],
        "wall_ms": round(wall, 1),
        "peak_rss_mb": round(rss1, 1),
        "rss_before_mb": round(rss0, 1),
        "matched": st["matched"],
        "unmatched": st["unmatched"],
        "total_score": st["total_score"],
        "mean_score": st["mean_score"],
        "min_score": st["min_score"],
        "blocking_pairs": st["blocking_pairs"],
        "violations": hard_rule_violations(p, r),
        "assign_info": st["assign_info"],
        "score_histogram": st["score_histogram"],
    }
    del r
    gc.collect()
    if p.mode == "stable" or p.groups:
        # no reference for deferred acceptance (the measure is 0 blocking pairs) nor for
        # groups (the integer programme proves its own optimum: assign_info.proof_gap)
        return row
    e = _edges(p)
    row["ortools"] = run_ortools(e)
    row["greedy"] = run_greedy(e)
    if n <= 1000:
        row["hospital_resident"] = run_hospital_resident(e)
        row["python_loop"] = run_python_loop(p, e)
    return row


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}" if b else "-"


def _py_ok(py: dict[str, Any] | None) -> str:
    if py is None:
        return "-"
    return "yes" if py["same_mask"] and not py["score_mismatches"] else "NO"


def table(rows: list[dict[str, Any]]) -> str:
    """Wall times first; "cpu" columns are this process's CPU time (the box is shared)."""
    head = (
        f"{'regime':>11} {'students':>8} {'hosts':>6} {'pairs':>10} {'enc ms':>7} "
        f"{'asg ms':>7} {'expl ms':>7} {'total ms':>8} {'tot cpu':>7} {'RSS MB':>6} "
        f"{'placed':>6} {'total':>9} {'mean':>6} {'block':>6} {'viol':>4} {'ortl ms':>7} "
        f"{'ortl cpu':>8} {'/ortl':>5} {'cpu/':>5} {'=ortl':>5} {'/grdy':>6} {'/HR':>6} "
        f"{'py ms':>7} {'py=':>4}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        o, gr = r.get("ortools"), r.get("greedy")
        ours_t = r["encode_ms"] + r["assign_ms"]
        ours_c = r["encode_cpu_ms"] + r["assign_cpu_ms"]
        same = (
            "-"
            if o is None
            else "yes"
            if o["placed"] == r["matched"]
            and abs(o["total_score"] - r["total_score"]) <= 1e-6 * max(1.0, o["total_score"])
            else "NO"
        )
        hr = r.get("hospital_resident")
        py = r.get("python_loop")
        lines.append(
            f"{r.get('regime', 'seats_all'):>11} {r['students']:>8} {r['hosts']:>6} "
            f"{r['feasible_pairs']:>10} "
            f"{r['encode_ms']:>7.0f} {r['assign_ms']:>7.0f} {r['explain_ms']:>7.0f} "
            f"{r['solve_ms']:>8.0f} {r['solve_cpu_ms']:>7.0f} {r['peak_rss_mb']:>6.0f} "
            f"{r['matched']:>6} {r['total_score']:>9.1f} {r['mean_score']:>6.2f} "
            f"{r['blocking_pairs']:>6} {r['violations']:>4} "
            f"{o['ms'] if o else '-':>7} {o['cpu_ms'] if o else '-':>8} "
            f"{_ratio(ours_t, o['ms']) if o else '-':>5} "
            f"{_ratio(ours_c, o['cpu_ms']) if o else '-':>5} {same:>5} "
            f"{_ratio(r['total_score'], gr['total_score']) if gr else '-':>6} "
            f"{_ratio(r['total_score'], hr['total_score']) if hr else '-':>6} "
            f"{py['ms'] if py else '-':>7} {_py_ok(py):>4}"
        )
    lines.append(
        "/ortl, cpu/: (encode + assign) of ours over OR-tools arc building + solve, wall and CPU;"
        " =ortl: same placed count and total score (rel. diff <= 1e-6); /grdy, /HR: our total"
        " score over the greedy's and HospitalResident's; py: the Python double loop (time,"
        " same mask and scores); stable: no reference, block = blocking pairs"
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    ap.add_argument(
        "--regimes", type=lambda s: s.split(","), default=list(REGIMES), help=", ".join(REGIMES)
    )
    ap.add_argument("--quick", action="store_true", help="seats for all, 100 and 1 000 only")
    ap.add_argument("--seed", type=int, default=20270117)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    if args.child is not None:
        regime, n = args.child.split(":")
        print(json.dumps(child(regime, int(n), args.seed)))
        return
    runs = [("seats_all", 100), ("seats_all", 1000)] if args.quick else []
    if not args.quick:
        for regime in args.regimes:
            runs += [(regime, n) for n in (args.sizes or REGIMES[regime])]
    rows = []
    for regime, n in runs:
        out = subprocess.run(
            [sys.executable, __file__, "--child", f"{regime}:{n}", "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"... {regime} {n} students done", file=sys.stderr)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "seed": args.seed,
                "runs": [f"{r}:{n}" for r, n in runs],
                "rows": rows,
                "table": table(rows),
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
