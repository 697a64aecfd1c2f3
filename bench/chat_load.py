"""Load test of the chat: real ASGI servers, the Redis layer, PostgreSQL, clients in pairs.

For each server kind (daphne, uvicorn) and each client count, the script:

1. creates (once) and migrates a PostgreSQL database of its own, ``engawa_bench``, and makes
   one confirmed proposal and its conversation per pair of clients;
2. starts two server processes of that kind on ``bench.asgi_bench:application`` (Engawa plus a
   bare ``/ws/echo/``), on that database and on a Redis database of its own;
3. warms them up and records each process's RSS;
4. floors: the same number of clients at the same pace send ``--floor-frames`` frames to the
   echo consumer (round trip to the same socket), then in pairs on different servers to the
   relay consumer (to the partner through Redis, no database): see bench/echo.py. During the
   chat, a tenth as many echo probes measure the echo again under the chat's load;
5. chat: each pair's two members sit on different servers (every message crosses Redis). Each
   client sends its share of the messages at a steady rate, and before a send it may drop its
   socket and reconnect to a random server, send ``resume`` after the last message it holds,
   and retry its unacknowledged messages with the same ``client_id``;
6. waits until the traffic settles, then checks every client against the database: a message
   of its conversation it does not hold is *lost*; a message id that reached it twice is a
   *duplicate frame*; a ``client_id`` stored twice is a *duplicate message*;
7. disconnects everyone, waits, records each process's RSS again;
8. with ``--again``, a second wave of as many clients on fresh pairs, checked the same way,
   and RSS once more: memory that keeps growing wave after wave is a leak, memory that stays
   where the first wave left it is the allocator's plateau.

Latency is send → arrival at the partner, for messages the partner received live (a message
replayed to a reconnecting partner, or retried by a reconnecting sender, measures the reconnect,
not the chat; those are counted apart). Results go to ``bench/results/chat.json``.

    .venv/bin/python bench/chat_load.py                    # 200 and 1 000 clients, 10 000 messages
    .venv/bin/python bench/chat_load.py --clients 200 --servers daphne
    .venv/bin/python bench/chat_load.py --clients 1000 --servers daphne --again
    .venv/bin/python bench/chat_load.py --clients 40 --messages 800   # a quick look

The offered load is fixed over all clients (``--total-rate``, 100 messages a second: at 200
clients one message every 2 s from each side, a brisk conversation), so that the sizes differ
only in how many sockets are open; ``--rate`` sets a per-client pace instead.

Needs PostgreSQL (``--postgres``, default ``postgres://postgres@127.0.0.1:5432``) and Redis
(``--redis``, default ``redis://127.0.0.1:6379/13``; that database is flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.chat_phases import WARM_PAIRS, chat_phase, echo_phase, relay_phase, warm_up
from bench.chat_servers import servers_start, servers_stop
from bench.chat_setup import database_prepare, django_setup, flush_redis, pairs_make
from bench.common import ROOT, add_server_env_option, machine, name_value, run_phase

OUT = ROOT / "bench" / "results" / "chat.json"


def run_one(
    kind: str, clients: int, args: argparse.Namespace, database_url: str, stack: str
) -> dict:
    per_client = max(1, args.messages // clients)
    rate = args.rate if args.rate else args.total_rate / clients
    floor_per_client = max(1, args.floor_frames // clients)
    flush_redis(args.redis)
    tag = f"{stack}-{kind}-{clients}-{int(time.time())}"
    half = clients // 2
    pairs = pairs_make(WARM_PAIRS + half * (2 if args.again else 1), tag)
    warm_pairs, pairs = pairs[:WARM_PAIRS], pairs[WARM_PAIRS:]
    pairs, again_pairs = pairs[:half], pairs[half:]
    load_before = os.getloadavg()[0]
    if stack == "old":
        tree, extra = args.old_tree, dict(args.old_env)
    else:
        tree, extra = ROOT, dict(args.server_env)
    servers = servers_start(kind, args.processes, database_url, args.redis, extra, tree)
    ports = [s.port for s in servers]
    try:
        asyncio.run(warm_up(ports, warm_pairs))
        time.sleep(1)
        rss_before = [round(s.rss_mb(), 1) for s in servers]
        cpu_start = sum(s.cpu_s() for s in servers)
        echo = run_phase(echo_phase(ports, clients, floor_per_client, rate))
        cpu_echo = sum(s.cpu_s() for s in servers)
        relay = run_phase(relay_phase(ports, clients, floor_per_client, rate))
        cpu_relay = sum(s.cpu_s() for s in servers)
        relay["server_cpu_ms_per_frame"] = round(
            (cpu_relay - cpu_echo) * 1000 / max(1, relay["frames_received"]), 3
        )
        chat = run_phase(chat_phase(ports, pairs, per_client, rate, args.reconnect, args.settle))
        cpu_chat = sum(s.cpu_s() for s in servers)
        # CPU the servers spent per frame or message: unlike latency, hardly moved by other
        # work on the machine, so it shows a change in the code between runs.
        echo["server_cpu_ms_per_frame"] = round((cpu_echo - cpu_start) * 1000 / echo["frames"], 3)
        chat["server_cpu_ms_per_message"] = round(
            (cpu_chat - cpu_relay) * 1000 / max(1, chat["messages_stored"]), 3
        )
        time.sleep(args.cooldown)
        rss_after = [round(s.rss_mb(), 1) for s in servers]
        # The same load again on fresh pairs: memory that keeps growing is a leak, memory that
        # stays at the first round's level is the allocator keeping its high-water mark.
        rss_after_again = None
        chat_again: dict = {}
        if args.again:
            chat_again = run_phase(
                chat_phase(ports, again_pairs, per_client, rate, args.reconnect, args.settle)
            )
            time.sleep(args.cooldown)
            rss_after_again = [round(s.rss_mb(), 1) for s in servers]
    finally:
        servers_stop(servers)
    p99_ratio = (
        round(chat["p99_ms"] / echo["p99_ms"], 2) if chat["p99_ms"] and echo["p99_ms"] else None
    )
    growth = [
        round((after - before) / before * 100, 1)
        for before, after in zip(rss_before, rss_after, strict=True)
    ]
    return {
        "stack": stack,
        "tree": str(tree),
        "server": kind,
        "server_env": extra,
        "processes": args.processes,
        "clients": clients,
        "messages_per_client": per_client,
        "rate_per_client_per_s": round(rate, 4),
        "offered_messages_per_s": round(rate * clients, 1),
        "reconnect_probability_per_send": args.reconnect,
        "echo": echo,
        "relay": relay,
        "chat": chat,
        "p99_over_echo_p99": p99_ratio,
        "p99_over_echo_during_chat_p99": (
            round(chat["p99_ms"] / chat["echo_during_chat"]["p99_ms"], 2)
            if chat["p99_ms"] and chat["echo_during_chat"]["p99_ms"]
            else None
        ),
        "p99_over_relay_p99": (
            round(chat["p99_ms"] / relay["p99_ms"], 2)
            if chat["p99_ms"] and relay["p99_ms"]
            else None
        ),
        "rss_mb_before": rss_before,
        "rss_mb_after": rss_after,
        "rss_growth_percent": growth,
        "rss_mb_after_second_round": rss_after_again,
        "second_round": (
            {
                k: chat_again[k]
                for k in (
                    "messages_stored",
                    "never_stored",
                    "lost",
                    "duplicated_messages",
                    "duplicate_frames",
                    "reconnects",
                    "p50_ms",
                    "p99_ms",
                )
            }
            if args.again
            else None
        ),
        # The machine's 1-minute load average: other work on it shows up in every latency.
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "targets_met": {
            "no_loss": chat["lost"] == 0 and chat["never_stored"] == 0,
            "no_duplicates": chat["duplicated_messages"] == 0 and chat["duplicate_frames"] == 0,
            "p99_within_5x_relay": (
                chat["p99_ms"] is not None
                and relay["p99_ms"] is not None
                and chat["p99_ms"] <= 5 * relay["p99_ms"]
            ),
            "second_round_no_loss_no_duplicates": (
                all(
                    chat_again[k] == 0
                    for k in ("lost", "never_stored", "duplicated_messages", "duplicate_frames")
                )
                if args.again
                else None
            ),
            "memory_within_10_percent": all(g <= 10 for g in growth),
            "memory_flat_on_second_round": (
                all(b <= a * 1.05 for a, b in zip(rss_after, rss_after_again, strict=True))
                if rss_after_again
                else None
            ),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--messages", type=int, default=10_000, help="per run, all clients")
    parser.add_argument(
        "--total-rate",
        type=float,
        default=100.0,
        help="messages a second over all clients (the pace per client follows from the size)",
    )
    parser.add_argument(
        "--rate", type=float, default=None, help="messages a second per client, instead"
    )
    parser.add_argument("--floor-frames", type=int, default=3000, help="per floor, all clients")
    parser.add_argument("--reconnect", type=float, default=0.02, help="chance before each send")
    parser.add_argument("--servers", nargs="+", default=["daphne", "uvicorn"])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="engawa_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait at the end")
    parser.add_argument("--cooldown", type=float, default=5.0, help="seconds before RSS after")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--again", action="store_true", help="a second chat round, to tell a leak from a plateau"
    )
    add_server_env_option(parser)
    parser.add_argument(
        "--old-tree",
        type=Path,
        help="another checkout whose servers take turns with this one's (same data, same run)",
    )
    parser.add_argument(
        "--old-env",
        type=name_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the --old-tree servers only (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    random.seed(args.seed)

    database_url = database_prepare(args.postgres, args.database)
    django_setup(database_url, args.redis)
    runs = []
    stacks = ["new", "old"] if args.old_tree else ["new"]
    for clients in args.clients:
        for kind, stack in [(k, s) for k in args.servers for s in stacks]:
            print(f"{stack} {kind}: {clients} clients …", flush=True)
            result = run_one(kind, clients, args, database_url, stack)
            runs.append(result)
            chat, echo = result["chat"], result["echo"]
            print(
                f"  lost={chat['lost']} dup={chat['duplicated_messages']}"
                f"/{chat['duplicate_frames']} p50={chat['p50_ms']}ms p99={chat['p99_ms']}ms"
                f" (echo p50={echo['p50_ms']}ms p99={echo['p99_ms']}ms;"
                f" relay p50={result['relay']['p50_ms']}ms p99={result['relay']['p99_ms']}ms)"
                f" {chat['msgs_per_s']} msg/s reconnects={chat['reconnects']}"
                f" rss {result['rss_mb_before']} → {result['rss_mb_after']} MB"
                f" server cpu {chat['server_cpu_ms_per_message']} ms/msg"
                f" (echo {echo['server_cpu_ms_per_frame']} ms/frame)",
                flush=True,
            )
            if result["second_round"]:
                again = result["second_round"]
                print(
                    f"  second wave: lost={again['lost']} dup={again['duplicated_messages']}"
                    f"/{again['duplicate_frames']} p99={again['p99_ms']}ms"
                    f" rss {result['rss_mb_after_second_round']} MB",
                    flush=True,
                )
    report = {
        "benchmark": "chat_load",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join(sys.argv),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
