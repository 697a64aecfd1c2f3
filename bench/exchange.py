"""Benchmark of the language-exchange solver against networkx and a greedy baseline.

Seeded instances shaped like a city association's applicants: about half are Japanese residents
who teach Japanese; the rest teach English, Chinese, Korean, Vietnamese, Nepali or Portuguese
(some also English) and mostly learn Japanese.  Every method runs in its own subprocess on the
same instance (so peak memory is per method); networkx ``max_weight_matching(maxcardinality=
True)`` is exact and gets 60 s.  Writes ``bench/results/exchange.json`` and prints a table.

    .venv/bin/python bench/exchange.py [--sizes 200 500 1000 2000] [--seed 7] [--shapes typical ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accounts.reference_data import WEEKLY_SLOTS  # noqa: E402
from matching.solver.exchange import (  # noqa: E402
    ExchangeApplicant,
    ExchangeProblem,
    build_arrays,
    solve_exchange,
)

RESULTS = ROOT / "bench" / "results" / "exchange.json"
NETWORKX_TIMEOUT_S = 60.0
# The weekly slot codes every application uses (the reference grid, weekday x part of the
# day). Weights: weekday evenings and weekend days are the popular times.
SLOTS = tuple(slot.code for slot in WEEKLY_SLOTS)
_PART_WEIGHT = {
    (False, "am"): 0.08 / 5,
    (False, "pm"): 0.10 / 5,
    (False, "eve"): 0.30 / 5,
    (True, "am"): 0.17 / 2,
    (True, "pm"): 0.20 / 2,
    (True, "eve"): 0.15 / 2,
}
SLOT_WEIGHTS = np.array(
    [_PART_WEIGHT[(slot.weekday in ("sat", "sun"), slot.part)] for slot in WEEKLY_SLOTS]
)
SLOT_WEIGHTS /= SLOT_WEIGHTS.sum()
INTERESTS = (
    "anime",
    "calligraphy",
    "cooking",
    "football",
    "gardening",
    "hiking",
    "music",
    "photography",
    "reading",
    "tea_ceremony",
    "travel",
    "video_games",
)
OTHER_NATIVE = ("en", "zh", "ko", "vi", "ne", "pt")
OTHER_WEIGHTS = np.array([0.28, 0.22, 0.12, 0.18, 0.12, 0.08])
JA_LEARNS = ("en", "zh", "ko", "vi", "pt", "ne")
JA_LEARNS_WEIGHTS = np.array([0.62, 0.13, 0.13, 0.05, 0.04, 0.03])
LEARNER_LEVELS = ("beginner", "intermediate", "advanced")


def make_instance(n: int, seed: int, shape: str = "typical") -> ExchangeProblem:
    """``typical``: the association's mix, nearly bipartite (Japanese teachers on one side).
    ``crosslingual``: a third of the others also learn another non-Japanese language, so
    non-Japanese residents pair with each other too and the graph has odd cycles."""
    rng = np.random.default_rng(seed)
    people: list[ExchangeApplicant] = []
    for key in range(1, n + 1):
        level = LEARNER_LEVELS[int(rng.choice(3, p=[0.45, 0.4, 0.15]))]
        if rng.random() < 0.5:
            teaches = {"ja": "native"}
            learns = {str(rng.choice(JA_LEARNS, p=JA_LEARNS_WEIGHTS)): level}
            if rng.random() < 0.15:
                second = str(rng.choice(JA_LEARNS, p=JA_LEARNS_WEIGHTS))
                learns.setdefault(second, "beginner")
        else:
            native = str(rng.choice(OTHER_NATIVE, p=OTHER_WEIGHTS))
            teaches = {native: "native"}
            if native != "en" and rng.random() < 0.35:
                teaches["en"] = "advanced"
            learns = {"ja": level}
            if rng.random() < 0.1 and native != "en":
                learns["en"] = "intermediate"
            if shape == "crosslingual" and rng.random() < 0.35:
                other = str(rng.choice(OTHER_NATIVE, p=OTHER_WEIGHTS))
                if other not in teaches:
                    learns.setdefault(other, "beginner")
        fmt = ("online", "in_person", "either")[int(rng.choice(3, p=[0.25, 0.3, 0.45]))]
        gender = ("female", "male", "unspecified")[int(rng.choice(3, p=[0.55, 0.4, 0.05]))]
        pref = "any"
        if rng.random() < 0.15:
            pref = "female" if gender == "female" else ("male" if gender == "male" else "any")
        n_slots = int(rng.integers(2, 8))
        slots = tuple(
            sorted(str(s) for s in rng.choice(SLOTS, size=n_slots, replace=False, p=SLOT_WEIGHTS))
        )
        n_interests = int(rng.integers(1, 5))
        interests = tuple(sorted(str(s) for s in rng.choice(INTERESTS, n_interests, False)))
        people.append(
            ExchangeApplicant(
                key=key,
                teaches=teaches,
                learns=learns,
                format=fmt,  # type: ignore[arg-type]
                lat=35.68 + float(rng.normal(0, 0.12)),
                lon=139.70 + float(rng.normal(0, 0.15)),
                max_travel_minutes=int(rng.choice([30, 45, 60, 90])),
                time_slots=slots,
                gender=gender,
                gender_preference=pref,  # type: ignore[arg-type]
                interests=interests,
                times_unplaced=int(rng.choice(3, p=[0.8, 0.15, 0.05])),
            )
        )
    forbidden: dict[tuple[int, int], str] = {}
    for _ in range(n // 20):
        a, b = (int(x) for x in rng.choice(np.arange(1, n + 1), 2, replace=False))
        forbidden[(min(a, b), max(a, b))] = "declined"
    return ExchangeProblem(applicants=people, forbidden=forbidden)


def _edges(problem: ExchangeProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    arrays = build_arrays(problem)
    ei, ej = np.nonzero(np.triu(arrays.feasible, 1))
    return arrays.enc.keys, ei, ej, arrays.score[ei, ej]


def run_engawa(problem: ExchangeProblem) -> dict[str, Any]:
    started = time.perf_counter()
    result = solve_exchange(problem)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "pairs": len(result.pairs),
        "total_score": result.stats["total_score"],
        "upper_bound": result.stats["upper_bound"],
        "pairs_upper_bound": result.stats["pairs_upper_bound"],
        "gap": result.stats["gap"],
        "methods": result.stats["methods"],
        "edges": int(np.count_nonzero(np.triu(build_arrays(problem).feasible, 1))),
    }


def run_networkx(problem: ExchangeProblem) -> dict[str, Any]:
    import networkx as nx

    keys, ei, ej, w = _edges(problem)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(keys)))
    graph.add_weighted_edges_from(zip(ei.tolist(), ej.tolist(), w.tolist(), strict=True))
    started = time.perf_counter()
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    seconds = time.perf_counter() - started
    total = sum(graph[a][b]["weight"] for a, b in matching)
    return {"seconds": seconds, "pairs": len(matching), "total_score": round(total, 6)}


def run_greedy(problem: ExchangeProblem) -> dict[str, Any]:
    """Best-scoring feasible pair first, repeatedly: the obvious baseline."""
    keys, ei, ej, w = _edges(problem)
    started = time.perf_counter()
    taken = np.zeros(len(keys), dtype=bool)
    total, pairs = 0.0, 0
    for e in np.argsort(-w, kind="stable"):
        a, b = ei[e], ej[e]
        if not taken[a] and not taken[b]:
            taken[a] = taken[b] = True
            total += float(w[e])
            pairs += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "pairs": pairs, "total_score": round(total, 6)}


METHODS = {"engawa": run_engawa, "networkx": run_networkx, "greedy": run_greedy}


def peak_rss_mb() -> float:
    """This process's peak resident memory.  VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    exec from the forking parent, which would charge the parent's arrays to the child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024.0, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def child(method: str, n: int, seed: int, shape: str) -> None:
    problem = make_instance(n, seed, shape)
    out = METHODS[method](problem)
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def run_child(method: str, n: int, seed: int, shape: str, timeout: float | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", method, str(n), str(seed), shape]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "timeout_s": timeout}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[200, 500, 1000, 2000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shapes", nargs="*", default=["typical", "crosslingual"])
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]), args.child[3])
        return
    rows: list[dict[str, Any]] = []
    for shape, n in ((shape, n) for shape in args.shapes for n in args.sizes):
        row: dict[str, Any] = {
            "shape": shape,
            "applicants": n,
            "seed": args.seed,
            # Timings on a shared machine mean little without its load.
            "load_average_1min": round(os.getloadavg()[0], 2),
        }
        for method in METHODS:
            timeout = NETWORKX_TIMEOUT_S if method == "networkx" else None
            row[method] = run_child(method, n, args.seed, shape, timeout)
        row["edges"] = row["engawa"].pop("edges")
        ours, nx_row, greedy = row["engawa"], row["networkx"], row["greedy"]
        if not nx_row.get("timed_out"):
            row["vs_networkx"] = {
                "equal": ours["pairs"] == nx_row["pairs"]
                and abs(ours["total_score"] - nx_row["total_score"])
                <= 1e-6 * (1 + nx_row["total_score"]),
                "pairs_ratio": ours["pairs"] / max(nx_row["pairs"], 1),
                "score_ratio": ours["total_score"] / max(nx_row["total_score"], 1e-9),
                "speedup": nx_row["seconds"] / max(ours["seconds"], 1e-9),
            }
        row["greedy"]["gap_to_bound"] = (ours["upper_bound"] - greedy["total_score"]) / max(
            ours["upper_bound"], 1e-9
        )
        rows.append(row)
        print(f"{shape} n={n} done", file=sys.stderr)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"cpus": os.cpu_count(), "results": rows}, indent=2) + "\n")
    header = (
        f"{'shape':<12} {'n':>5} {'edges':>7} | {'method':<8} {'time s':>8} {'rss MB':>7} "
        f"{'pairs':>6} {'total':>11} {'gap':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        bound = row["engawa"]["upper_bound"]
        for method in METHODS:
            r = row[method]
            if r.get("timed_out"):
                print(
                    f"{row['shape']:<12} {row['applicants']:>5} {row['edges']:>7} | "
                    f"{method:<8} {'> 60':>8}"
                )
                continue
            gap = (bound - r["total_score"]) / bound if bound else 0.0
            print(
                f"{row['shape']:<12} {row['applicants']:>5} {row['edges']:>7} | "
                f"{method:<8} {r['seconds']:>8.2f} "
                f"{r['peak_rss_mb']:>7.1f} {r['pairs']:>6} {r['total_score']:>11.2f} {gap:>9.2e}"
            )
        if "vs_networkx" in row:
            v = row["vs_networkx"]
            print(
                f"{'':>28}   equal to networkx: {v['equal']}  speed-up x{v['speedup']:.1f}  "
                f"pairs ratio {v['pairs_ratio']:.4f}  score ratio {v['score_ratio']:.6f}"
            )


if __name__ == "__main__":
    main()
