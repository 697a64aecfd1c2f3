"""API load test: real HTTP servers (one process each) on PostgreSQL with a realistic data set
(bench/api_seed.py), measured by a small asyncio HTTP/1.1 keep-alive client (bench/http_load.py).

Servers, side by side on the same database in the same run (``--stacks``):

- ``wsgi``: production's HTTP, gunicorn with 10 threads on ``config.wsgi`` (``bench.api_wsgi``);
- ``asgi``: Django's stock ASGI handler (``config.asgi``, as ``make run`` serves it) on uvicorn;
- ``old``: with ``--old-tree``, another checkout's ``bench.api_asgi`` on uvicorn (e.g. the
  serving stack before issue 18: its own ASGI handler, pool check and GC tuning).

Scenarios, each at 10 and 50 concurrent clients (one keep-alive connection each, every client
its own user and token), ``--seconds`` each per server in all:

- ``bare``: ``/bench/bare/``, a JSON view behind the same middleware (the ceiling);
- ``proposals (student)`` and ``proposals (host)``: ``GET /api/proposals/``;
- ``conversations``: ``GET /api/conversations/`` as students with a conversation;
- ``round detail``: ``GET /api/rounds/{id}/`` (1 000 proposals) as coordinators, also at one
  client (its latency on an idle server).

The machine is shared and its load drifts, so every (server, scenario) pair takes turns:
``--rounds`` rounds, each giving every pair a slice of ``--seconds / --rounds`` after a short
warm-up, the order rotated by one each round; a pair's figures pool its slices. The servers'
ratios (p50, p99, CPU per request against the new WSGI server) are what count.

Prints a table; writes ``bench/results/api.json``.

    .venv/bin/python bench/api_load.py [--seconds 8] [--rounds 4] [--old-tree ../old]
        [--postgres postgres://postgres@127.0.0.1:5432] [--database engawa_apibench]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_seed import CONFIRMED, HOSTS, MESSAGES, STUDENTS, create_database, seed
from bench.common import ROOT, free_port, run_phase, wait_until_listening
from bench.http_load import pooled, run_slice, show

OUT = ROOT / "bench" / "results" / "api.json"


def server_command(stack: str, port: int) -> list[str]:
    if stack == "wsgi":
        return [
            *(sys.executable, "-m", "gunicorn", "bench.api_wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "10"),
            *("--log-level", "warning"),
        ]
    return [
        *(sys.executable, "-m", "uvicorn", "bench.api_asgi:application", "--port", str(port)),
        *("--log-level", "warning", "--no-access-log", "--lifespan", "off"),
    ]


def run_interleaved(
    servers: dict[str, tuple[int, int]],
    scenarios: list[tuple[str, str, list[str | None]]],
    clients: int,
    seconds: float,
    warmup: float,
    rounds: int,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every (server, scenario) for ``seconds`` in all, in ``rounds`` turns, order rotated."""
    pairs = [(stack, scenario) for scenario in scenarios for stack in servers]
    slices: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for turn in range(rounds):
        for stack, (name, path, tokens) in pairs[turn:] + pairs[:turn]:
            port, pid = servers[stack]
            one = run_phase(run_slice(port, path, tokens, clients, seconds / rounds, warmup, pid))
            slices.setdefault((stack, name), []).append(one)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for (stack, name), ones in slices.items():
        out.setdefault(stack, {})[name] = pooled(clients, ones)
    return out


def ratios(results: dict[str, dict[str, list[dict[str, Any]]]], against: str) -> dict[str, Any]:
    """Each server's p50, p99 and CPU per request over ``against``'s, per scenario."""
    out: dict[str, Any] = {}
    base = results[against]
    for stack, by_name in results.items():
        if stack == against:
            continue
        for name, rows in by_name.items():
            for row, ref in zip(rows, base[name], strict=True):
                key = f"{name} @{row['clients']}"
                out.setdefault(stack, {})[key] = {
                    metric: round(row[metric] / ref[metric], 2) if ref[metric] else None
                    for metric in ("p50_ms", "p99_ms", "server_cpu_ms_per_request", "rps")
                }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="engawa_apibench")
    parser.add_argument("--seconds", type=float, default=8.0, help="per scenario, in all")
    parser.add_argument("--rounds", type=int, default=4, help="turns the scenarios take")
    parser.add_argument("--warmup", type=float, default=0.5, help="before each slice")
    parser.add_argument("--stacks", nargs="+", default=["wsgi", "asgi"], choices=["wsgi", "asgi"])
    parser.add_argument("--old-tree", type=Path, help="a checkout to compare with (``old``)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    url = create_database(args.postgres, args.database)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    # The production settings' connection handling (psycopg's pool), not the caller's.
    # REDIS_URL: reads only, no cache, layer or broker is in the measured path.
    for name in ("REDIS_URL", "CONN_MAX_AGE", "DB_POOL_SIZE", "DB_POOL_TIMEOUT"):
        env.pop(name, None)
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    os.environ.pop("REDIS_URL", None)
    data = seed()
    setup_seconds = round(time.monotonic() - t0, 1)
    print(f"data set in {setup_seconds} s: round {data['round']}, {data['proposals']} proposals")

    trees = {stack: ROOT for stack in args.stacks}
    if args.old_tree:
        trees["old"] = args.old_tree.resolve()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    servers: dict[str, tuple[int, int]] = {}
    try:
        deadline = time.monotonic() + 60
        for stack, tree in trees.items():
            port = free_port()
            process = subprocess.Popen(
                server_command(stack, port), cwd=tree, env={**env, "PYTHONPATH": str(tree)}
            )
            processes[stack] = process
            wait_until_listening(process, port, deadline, stack)
            servers[stack] = (port, process.pid)
        scenarios = [
            ("bare", "/bench/bare/", [None]),
            ("proposals (student)", "/api/proposals/", data["student_tokens"]),
            ("proposals (host)", "/api/proposals/", data["host_tokens"]),
            ("conversations", "/api/conversations/", data["conversation_tokens"]),
            (
                "round detail (1 000 proposals)",
                f"/api/rounds/{data['round']}/",
                data["coordinator_tokens"],
            ),
        ]
        results: dict[str, dict[str, list[dict[str, Any]]]] = {s: {} for s in servers}
        load_average = {"before": [round(x, 2) for x in os.getloadavg()]}
        # Every endpoint once before anything counts: each pool's connections are open.
        run_interleaved(servers, scenarios, 10, 1.0 * len(servers), 0.0, 1)
        runs = [(1, scenarios[-1:], 1), (10, scenarios, args.rounds), (50, scenarios, args.rounds)]
        for clients, which, rounds in runs:
            found = run_interleaved(servers, which, clients, args.seconds, args.warmup, rounds)
            for stack, rows in found.items():
                for name, row in rows.items():
                    results[stack].setdefault(name, []).append(row)
                    show(f"{stack:5} {name}", row)
        load_average["after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=15)

    # Against the WSGI server when it ran, else (``--stacks asgi --old-tree``) against ``old``.
    against = next((stack for stack in ("wsgi", "old") if stack in results), "")
    compared = ratios(results, against) if against else {}
    for stack, rows in compared.items():
        print(f"{stack} over {against} (p50, p99, CPU per request, req/s):")
        for key, row in rows.items():
            print(f"  {key:40} {row}")
    print("load average (1, 5, 15 min) before and after:", load_average)
    args.out.write_text(
        json.dumps(
            {
                "servers": {
                    "wsgi": "gunicorn, 1 process, 10 threads, config.wsgi",
                    "asgi": "uvicorn, 1 process, config.asgi (Django's ASGI handler)",
                    "old": f"uvicorn, 1 process, {trees.get('old')} bench.api_asgi",
                },
                "database": "PostgreSQL through the settings' psycopg pool (DB_POOL_SIZE 10)",
                "data_set": {
                    "students": STUDENTS,
                    "families": HOSTS,
                    "proposals": data["proposals"],
                    "conversations": CONFIRMED,
                    "messages_per_conversation": MESSAGES,
                },
                "seconds_per_scenario": args.seconds,
                "rounds": args.rounds,
                "warmup_seconds_per_slice": args.warmup,
                "machine_cpus": os.cpu_count(),
                "load_average": load_average,
                "results": results,
                f"over_{against}": compared,
                "setup_seconds": setup_seconds,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
