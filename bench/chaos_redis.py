"""Chaos: Redis killed with SIGKILL in the middle of a chat, and started again on the same port.

A Redis server of its own (a free port, no persistence: it comes back empty, as a crashed
cache-only Redis does), a fresh PostgreSQL database ``engawa_chaos``, and two ASGI server
processes (daphne and uvicorn) on both. Pairs of clients chat, each member on a different
server so that every message crosses the channel layer. Every client sends at a steady rate;
after ``--before`` seconds Redis is killed (SIGKILL) and ``--outage`` seconds later it is
started again on the same port; the clients keep sending for ``--after`` seconds.

A client behaves as the browser's chat does: when its socket closes or a handshake fails it
reconnects to its server with jittered exponential backoff, sends ``resume`` after the last
message id it holds, and re-sends every message the server has not echoed back yet with the
same ``client_id`` (the server stores a ``client_id`` once). Re-sends are paced under the
server's per-user rate limit.

At the end every client is checked against the database: a stored message of its
conversation that it does not hold is *lost*; a message id that reached it twice is a
*duplicate frame*; a ``client_id`` stored twice is a *duplicate message*. Also measured: how
many sockets the kill closed, how long each client had no socket, reconnects and refused
handshakes, what was stored while Redis was down, and the time from the restart until every
message sent before it was held by both members (*full recovery*). The servers' logs are
scanned for the exceptions they raised. Results go to ``bench/results/chaos_redis.json``.

    .venv/bin/python bench/chaos_redis.py                  # 100 pairs, 50 messages/s in all
    .venv/bin/python bench/chaos_redis.py --pairs 20 --outage 5

``tests/chat/test_redis_restart.py`` runs the same scenario with 10 pairs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.chaos_members import Clock, Member
from bench.chaos_services import (
    PrivateRedis,
    api_post,
    api_token_for,
    db,
    server_log_summary,
    servers_running,
    stored_rows,
)
from bench.common import ROOT, machine

OUT = ROOT / "bench" / "results" / "chaos_redis.json"


@dataclass
class Scenario:
    rate: float = 0.25  # messages a second per client
    before: float = 5.0  # seconds of chat before the kill
    outage: float = 1.5  # seconds Redis stays down
    after: float = 10.0  # seconds of chat after the restart
    settle: float = 60.0  # at most this long for the last re-sends and resumes
    api_probe: bool = False  # also POST through the HTTP API while Redis is down, and after
    pairs: list[tuple[int, int, int]] = field(default_factory=list)  # (conversation, a, b)


def _everything_before_restart_held(members: list[Member], clock: Clock) -> bool:
    restarted = clock.restarted
    if restarted is None:
        return False
    by_conversation: dict[int, list[Member]] = collections.defaultdict(list)
    for m in members:
        by_conversation[m.conversation].append(m)
    for pair in by_conversation.values():
        written = {cid for m in pair for cid, at in m.created.items() if at < restarted}
        if any(not written <= m.held_client_ids for m in pair):
            return False
    return True


async def chat_through_restart(
    redis: PrivateRedis, ports: list[int], scenario: Scenario
) -> dict[str, Any]:
    """Run the scenario against running servers; return the figures (see the module doc)."""
    clock = Clock()
    members: list[Member] = []
    for n, (conversation, a, b) in enumerate(scenario.pairs):
        members.append(Member(clock, ports[n % len(ports)], conversation, a))
        members.append(Member(clock, ports[(n + 1) % len(ports)], conversation, b))
    for wave in range(0, len(members), 50):  # handshakes in waves, not a thundering herd
        for m in members[wave : wave + 50]:
            m.keeper = asyncio.ensure_future(m.keep_connected())
        await asyncio.wait_for(
            asyncio.gather(*(m.opened.wait() for m in members[wave : wave + 50])), 60
        )

    started = time.monotonic()
    until = started + scenario.before + scenario.outage + scenario.after
    writers = asyncio.gather(*(m.write(until, scenario.rate) for m in members))

    recovered_at: float | None = None
    probes: dict[str, str] = {}
    conversation, author = scenario.pairs[0][:2]
    token = await db(api_token_for, author) if scenario.api_probe else ""

    async def chaos() -> None:
        nonlocal recovered_at
        await asyncio.sleep(scenario.before)
        clock.killed, clock.killed_wall = time.monotonic(), time.time()
        await asyncio.to_thread(redis.kill)
        if scenario.api_probe:
            await asyncio.sleep(min(0.3, scenario.outage / 3))
            probes["while_down"] = await asyncio.to_thread(
                api_post, ports[0], token, conversation, "api-probe-down"
            )
        await asyncio.sleep(max(0.0, clock.killed + scenario.outage - time.monotonic()))
        await asyncio.to_thread(redis.start)
        clock.restarted, clock.restarted_wall = time.monotonic(), time.time()
        if scenario.api_probe:
            probes["after_restart"] = await asyncio.to_thread(
                api_post, ports[0], token, conversation, "api-probe-up"
            )
        while recovered_at is None:
            if _everything_before_restart_held(members, clock):
                recovered_at = time.monotonic()
            await asyncio.sleep(0.05)

    chaos_task = asyncio.ensure_future(chaos())
    await writers
    sending_done = time.monotonic()

    # Settle: the last re-sends go out and every member catches up (by live events, or by the
    # resume of a reconnect); nobody is forced to reconnect, so a silent socket shows as lost.
    conversation_ids = [p[0] for p in scenario.pairs]
    deadline = time.monotonic() + scenario.settle
    while time.monotonic() < deadline:
        for m in members:
            await m.retry_due()
        # Acknowledged first, read after: a message echoed to its sender while the read was
        # on its way would be missing from it, and its partner not yet holding it would pass.
        all_acknowledged = all(not m.unacked for m in members)
        rows = await db(stored_rows, conversation_ids)
        stored: dict[int, set[int]] = collections.defaultdict(set)
        for conversation, message_id, _cid, _at in rows:
            stored[conversation].add(message_id)
        if (
            recovered_at is not None
            and all_acknowledged
            and all(stored[m.conversation] <= set(m.held) for m in members)
        ):
            break
        await asyncio.sleep(0.25)
    settled = time.monotonic()
    chaos_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await chaos_task
    await asyncio.gather(*(m.close() for m in members))

    rows = await db(stored_rows, conversation_ids)
    figures = _figures(members, clock, rows, started, sending_done, settled, recovered_at)
    if scenario.api_probe:
        figures["api_post_answers"] = probes
    return figures


def _figures(
    members: list[Member],
    clock: Clock,
    rows: list[tuple[int, int, str, dt.datetime]],
    started: float,
    sending_done: float,
    settled: float,
    recovered_at: float | None,
) -> dict[str, Any]:
    assert clock.killed is not None and clock.restarted is not None
    assert clock.killed_wall is not None and clock.restarted_wall is not None
    stored: dict[int, set[int]] = collections.defaultdict(set)
    client_ids: collections.Counter[str] = collections.Counter()
    stored_while_down = 0
    for conversation, message_id, client_id, created_at in rows:
        stored[conversation].add(message_id)
        client_ids[client_id] += 1
        if clock.killed_wall <= created_at.timestamp() <= clock.restarted_wall:
            stored_while_down += 1
    written = {cid for m in members for cid in m.created}
    # Stored messages that no client wrote (the API probes) count as stored, not as written.
    lost = sum(len(stored[m.conversation] - set(m.held)) for m in members)

    # A socket the outage took down closed between the kill and the restart; it is back when
    # its member's next socket opened. A socket closed at any other moment is counted apart.
    closed_by_kill = 0
    closed_otherwise = 0
    down_for: list[float] = []
    back_after_restart: list[float] = []
    for m in members:
        spans = list(m.downs)
        if m.down_since is not None:
            spans.append((m.down_since, settled))
        outage = [(a, b) for a, b in spans if clock.killed - 0.05 <= a <= clock.restarted]
        closed_otherwise += len(spans) - len(outage)
        if outage:
            closed_by_kill += 1
            down_for.append(sum(b - a for a, b in outage))
            back_after_restart.append(max(b for _a, b in outage) - clock.restarted)

    def total(counters: list[collections.Counter[str]]) -> dict[str, int]:
        out: collections.Counter[str] = collections.Counter()
        for c in counters:
            out.update(c)
        return dict(out.most_common())

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 2)

    return {
        "clients": len(members),
        "messages_written": len(written),
        "messages_stored": sum(client_ids.values()),
        "never_stored": len(written - set(client_ids)),
        "lost": lost,
        "duplicated_messages": sum(n - 1 for n in client_ids.values() if n > 1),
        "duplicate_frames": sum(m.duplicate_frames for m in members),
        "redis_down_s": round(clock.restarted - clock.killed, 2),
        "stored_while_redis_down": stored_while_down,
        "sends_attempted_without_socket": sum(m.sends_while_down for m in members),
        "sockets_closed_by_the_kill": closed_by_kill,
        "sockets_that_stayed_open": len(members) - closed_by_kill,
        "sockets_closed_at_other_times": closed_otherwise,
        "socket_down_s": {"p50": pct(down_for, 50), "max": pct(down_for, 100)},
        "reconnected_after_restart_s": {
            "p50": pct(back_after_restart, 50),
            "max": pct(back_after_restart, 100),
        },
        "reconnects": sum(m.reconnects for m in members),
        "refused_handshakes": total([m.refused for m in members]),
        "close_codes_seen": total([m.close_codes for m in members]),
        "error_frames": total([m.errors for m in members]),
        "full_recovery_after_restart_s": (
            round(recovered_at - clock.restarted, 2) if recovered_at is not None else None
        ),
        "chat_s": round(sending_done - started, 2),
        "settle_s": round(settled - sending_done, 2),
    }


# --- the script ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument(
        "--rate", type=float, default=0.25, help="messages a second per client (100 pairs: 50/s)"
    )
    parser.add_argument("--before", type=float, default=5.0, help="seconds of chat before")
    parser.add_argument("--outage", type=float, default=1.5, help="seconds Redis stays down")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of chat after")
    parser.add_argument("--settle", type=float, default=60.0)
    parser.add_argument("--servers", nargs="+", default=["daphne", "uvicorn"])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="engawa_chaos")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.pairs < 1 or args.rate <= 0 or args.outage < 0:
        parser.error("--pairs must be at least 1, --rate above 0, --outage not negative")
    if args.rate > 3:
        parser.error("--rate above 3 leaves no room for re-sends under the 5/s rate limit")
    random.seed(args.seed)

    from bench.chat_setup import database_prepare, django_setup, pairs_make

    database_url = database_prepare(args.postgres, args.database)
    redis = PrivateRedis()
    redis.start()
    django_setup(database_url, redis.url)
    pairs = pairs_make(args.pairs, f"chaos-{int(time.time())}")
    scenario = Scenario(
        rate=args.rate,
        before=args.before,
        outage=args.outage,
        after=args.after,
        settle=args.settle,
        api_probe=True,
        pairs=pairs,
    )
    log_dir = Path(tempfile.mkdtemp(prefix="engawa-chaos-redis-"))
    try:
        with servers_running(args.servers, database_url, redis.url, log_dir) as servers:
            print(
                f"{args.pairs} pairs on {', '.join(s.kind for s in servers)}; Redis on "
                f"{redis.port} is killed after {args.before} s for {args.outage} s …",
                flush=True,
            )
            figures = asyncio.run(chat_through_restart(redis, [s.port for s in servers], scenario))
        logs = [server_log_summary(s) for s in servers]
    finally:
        redis.stop()
    report = {
        "benchmark": "chaos_redis",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join(sys.argv),
        "pairs": args.pairs,
        "rate_per_client_per_s": args.rate,
        "servers": args.servers,
        "result": figures,
        "server_logs": logs,
        "ok": figures["lost"] == 0
        and figures["never_stored"] == 0
        and figures["duplicated_messages"] == 0
        and figures["duplicate_frames"] == 0,
    }
    print(json.dumps(report["result"], indent=2))
    for log in logs:
        print(
            f"{log['server']}: {log['tracebacks']} tracebacks {log['exceptions']}, "
            f"{log['group_send_failures_logged']} group_send failures logged"
        )
    print(f"server logs in {log_dir}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}; ok={report['ok']}")


if __name__ == "__main__":
    main()
