"""API load test: a real ASGI server (uvicorn, one process) on PostgreSQL with a realistic
data set, measured by a small asyncio HTTP/1.1 keep-alive client.

Set-up (once per run): a fresh database ``engawa_apibench`` (dropped and created), migrated;
1 000 students and 550 families with complete profiles, a home-visit programme with their
applications, a published round of 1 000 proposals (one per student, families offering two
seats), 200 of them confirmed with a conversation of 5 messages each; then ``ANALYZE``.

Scenarios, each at 10 and 50 concurrent clients (one keep-alive connection each, every client
its own user and token), ``--seconds`` each in all:

- ``bare``: ``/bench/bare/``, a JSON view behind the same middleware (the ceiling);
- ``proposals (student)`` and ``proposals (host)``: ``GET /api/proposals/``;
- ``conversations``: ``GET /api/conversations/`` as students with a conversation;
- ``round detail``: ``GET /api/rounds/{id}/`` (1 000 proposals) as coordinators, also at one
  client (its latency on an idle server).

The machine is shared and its load drifts within a run (the bare endpoint alone has moved by
a quarter between two slices a minute apart), so the scenarios take turns: ``--rounds`` rounds,
each giving every scenario a slice of ``--seconds / --rounds`` after a short warm-up, the order
rotated by one each round. A scenario's figures pool its slices; its share of the bare
endpoint compares totals gathered over the same stretch of time, and the smallest and largest
share of a single round show how much the drift still moves it. The load average is recorded.
The server uses the production settings' database handling (psycopg's connection pool).

Prints a table; writes ``bench/results/api.json``. Target: both list endpoints at 50 clients
reach at least half the bare endpoint's requests/s.

    .venv/bin/python bench/api_load.py [--seconds 8] [--rounds 4]
        [--postgres postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "api.json"
DB = "engawa_apibench"
STUDENTS, HOSTS, CONFIRMED, MESSAGES = 1000, 550, 200, 5


def create_database(server: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    return f"{server}/{DB}"


def seed() -> dict[str, Any]:
    """Bulk rows for the data set; returns the tokens and the round id."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import HostProfile, Role, StudentProfile, User
    from accounts.services import token_for
    from chat.services import conversation_open, message_post
    from matching.models import Application, HostDay, Program, Proposal, Round

    password = make_password("bench-password-not-used")
    coordinators = User.objects.bulk_create(
        [
            User(
                email=f"coord{i}@bench.example",
                name=f"Coordinator {i}",
                role=Role.COORDINATOR,
                is_staff=True,
                password=password,
            )
            for i in range(50)
        ]
    )
    students = User.objects.bulk_create(
        [
            User(
                email=f"s{i}@bench.example",
                name=f"Student {i}",
                role=Role.STUDENT,
                password=password,
                preferred_language="en",
            )
            for i in range(STUDENTS)
        ]
    )
    hosts = User.objects.bulk_create(
        [
            User(
                email=f"h{i}@bench.example",
                name=f"Host {i}",
                role=Role.HOST,
                password=password,
                preferred_language="ja",
            )
            for i in range(HOSTS)
        ]
    )
    StudentProfile.objects.bulk_create(
        [
            StudentProfile(
                user=u,
                nationality="VN",
                gender="female",
                birth_year=2001,
                school="Asia U",
                languages=[{"code": "vi", "level": "native"}, {"code": "ja", "level": "advanced"}],
                diet=[],
                allergies=[],
                needs_non_smoking=False,
                interests=["cooking"],
                home_station_id="kichijoji",
                max_travel_minutes=60,
                bio="Hello",
            )
            for u in students
        ]
    )
    HostProfile.objects.bulk_create(
        [
            HostProfile(
                user=u,
                household_name=f"Family {u.pk}",
                household_size=3,
                has_children=True,
                languages=[{"code": "ja", "level": "native"}],
                pets=[],
                smoking=False,
                diets_supported=[],
                allergens_avoidable=[],
                interests=["cooking"],
                home_station_id="mitaka",
                guest_gender_preference="any",
                address=f"{u.pk}-1-1 Naka-cho",
                phone="0422-00-0000",
                bio="Welcome",
            )
            for u in hosts
        ]
    )
    day = timezone.localdate() + dt.timedelta(days=30)
    program = Program.objects.create(
        name="Autumn visits",
        kind=Program.Kind.HOME_VISIT,
        dates=[day.isoformat()],
        apply_until=timezone.now() + dt.timedelta(days=10),
        response_hours=72,
        created_by=coordinators[0],
    )
    s_apps = Application.objects.bulk_create(
        [
            Application(program=program, user=u, role=Role.STUDENT, dates=[day.isoformat()])
            for u in students
        ]
    )
    h_apps = Application.objects.bulk_create(
        [
            Application(program=program, user=u, role=Role.HOST, dates=[day.isoformat()])
            for u in hosts
        ]
    )
    HostDay.objects.bulk_create(
        [HostDay(application=a, date=day, seats=2, seats_taken=0) for a in h_apps]
    )
    now = timezone.now()
    round_ = Round.objects.create(
        program=program,
        number=1,
        status=Round.Status.PUBLISHED,
        created_by=coordinators[0],
        stats={"students": STUDENTS, "hosts": HOSTS, "matched": STUDENTS},
        started_at=now,
        finished_at=now,
        published_at=now,
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                round=round_,
                program=program,
                student_application=s,
                date=day,
                host_application=h_apps[i % HOSTS],
                score=50.0 + i % 40,
                breakdown={"language": 20.0, "interests": 10.0, "travel": 20.0},
                status=Proposal.Status.PROPOSED,
                deadline=now + dt.timedelta(hours=72),
            )
            for i, s in enumerate(s_apps)
        ]
    )
    conversation_students = []
    for proposal in proposals[:CONFIRMED]:
        Proposal.objects.filter(pk=proposal.pk).update(
            status=Proposal.Status.CONFIRMED,
            confirmed_at=now,
            student_answer="accept",
            host_answer="accept",
        )
        proposal.refresh_from_db()
        conversation = conversation_open(proposal=proposal)
        student = proposal.student_application.user
        for n in range(MESSAGES):
            message_post(conversation_id=conversation.pk, sender=student, body=f"hello {n}")
        conversation_students.append(student)
    key = {u.pk: token_for(user=u) for u in [*coordinators, *students, *hosts]}
    # Planner statistics, as autovacuum keeps them for a live database: without them a
    # freshly bulk-loaded table looks empty and the plans are not the ones production gets.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "round": round_.pk,
        "proposals": len(proposals),
        "student_tokens": [key[u.pk] for u in students[CONFIRMED : CONFIRMED + 50]],
        "host_tokens": [key[u.pk] for u in hosts[:50]],
        "conversation_tokens": [key[u.pk] for u in conversation_students[:50]],
        "coordinator_tokens": [key[u.pk] for u in coordinators],
    }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    body = b""
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


async def _client(
    port: int,
    path: str,
    token: str | None,
    until: float,
    measure_from: float,
    out: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    auth = f"Authorization: Token {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: keep-alive\r\n\r\n"
    raw = request.encode()
    try:
        while True:
            started = time.perf_counter()
            if started >= until:
                break
            writer.write(raw)
            await writer.drain()
            status, _body = await _read_response(reader)
            done = time.perf_counter()
            if status != 200:
                errors.append(status)
            elif started >= measure_from:
                out.append(done - started)
    finally:
        writer.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_slice(
    port: int,
    path: str,
    tokens: list[str | None],
    clients: int,
    seconds: float,
    warmup: float,
    server_pid: int,
) -> dict[str, Any]:
    """One slice of a scenario: ``clients`` connections for ``warmup`` + ``seconds``; the raw
    latencies, errors and server CPU, to be pooled with the scenario's other slices."""
    latencies: list[float] = []
    errors: list[int] = []
    start = time.perf_counter()
    measure_from = start + warmup
    until = measure_from + seconds
    cpu_from = cpu_seconds(server_pid)
    await asyncio.gather(
        *(
            _client(port, path, tokens[i % len(tokens)], until, measure_from, latencies, errors)
            for i in range(clients)
        )
    )
    # Over warm-up and measurement alike; the server's own CPU per answer is steadier than
    # requests/s on a shared machine, whose neighbours take CPU from the server.
    cpu = cpu_seconds(server_pid) - cpu_from
    return {
        "latencies": latencies,
        "errors": len(errors),
        "seconds": seconds,
        "answered": len(latencies) * (seconds + warmup) / seconds,
        "cpu": cpu,
    }


def pooled(clients: int, slices: list[dict[str, Any]]) -> dict[str, Any]:
    """A scenario's figures over all its slices."""
    latencies = sorted(x for one in slices for x in one["latencies"])
    seconds = sum(one["seconds"] for one in slices)
    answered = sum(one["answered"] for one in slices)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "requests": len(latencies),
        "rps": round(len(latencies) / seconds, 1),
        "p50_ms": round(q[49] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "errors": sum(one["errors"] for one in slices),
        "server_cpu_ms_per_request": (
            round(sum(one["cpu"] for one in slices) / answered * 1000, 2) if latencies else None
        ),
        "rps_per_round": [round(len(one["latencies"]) / one["seconds"], 1) for one in slices],
    }


def run_interleaved(
    port: int,
    scenarios: list[tuple[str, str, list[str | None]]],
    clients: int,
    seconds: float,
    warmup: float,
    rounds: int,
    server_pid: int,
) -> dict[str, dict[str, Any]]:
    """Every scenario for ``seconds`` in all, in ``rounds`` turns with the order rotated."""
    slices: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in scenarios}
    for turn in range(rounds):
        for name, path, tokens in scenarios[turn:] + scenarios[:turn]:
            slices[name].append(
                asyncio.run(
                    run_slice(port, path, tokens, clients, seconds / rounds, warmup, server_pid)
                )
            )
    return {name: pooled(clients, one) for name, one in slices.items()}


def show(name: str, row: dict[str, Any]) -> None:
    print(
        f"{name:32} {row['clients']:3} clients  {row['rps']:8.1f} req/s  "
        f"p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:8.2f} ms  errors {row['errors']}  "
        f"server CPU {row['server_cpu_ms_per_request']} ms/request",
        flush=True,
    )


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> None:
    from bench.chat_load import add_server_env_option, free_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seconds", type=float, default=8.0, help="per scenario, in all")
    parser.add_argument("--rounds", type=int, default=4, help="turns the scenarios take")
    parser.add_argument("--warmup", type=float, default=0.5, help="before each slice")
    add_server_env_option(parser)
    args = parser.parse_args()

    from config.memory import allocator_of

    url = create_database(args.postgres)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    # The production settings' connection handling (psycopg's pool), not the caller's.
    for name in ("REDIS_URL", "CONN_MAX_AGE", "DB_POOL_SIZE", "DB_POOL_TIMEOUT"):
        # REDIS_URL: reads only, no cache, layer or broker is in the measured path.
        env.pop(name, None)
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    os.environ.pop("REDIS_URL", None)
    data = seed()
    setup_seconds = round(time.monotonic() - t0, 1)
    print(
        f"data set ready in {setup_seconds} s: round {data['round']}, {data['proposals']} proposals"
    )

    port = free_port()
    server_env = {**env, **dict(args.server_env)}
    allocator = allocator_of(server_env)
    print(f"server allocator: {allocator}")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.api_asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=server_env,
    )
    try:
        wait_for(port)
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
        results: dict[str, list[dict[str, Any]]] = {}
        load_average = {"before": [round(x, 2) for x in os.getloadavg()]}
        # Every endpoint once before anything counts: the pool's connections open and its
        # statements get prepared (after 5 runs each), as on a server that has been up a while.
        run_interleaved(port, scenarios, 10, 1.5, 0.0, 1, server.pid)
        # The round detail alone, one request after another: its latency on an idle server.
        name = scenarios[-1][0]
        single = run_interleaved(
            port, [scenarios[-1]], 1, args.seconds, args.warmup, 1, server.pid
        )[name]
        results[name] = [single]
        show(name, single)
        for clients in (10, 50):
            rows = run_interleaved(
                port, scenarios, clients, args.seconds, args.warmup, args.rounds, server.pid
            )
            for name, row in rows.items():
                results.setdefault(name, []).append(row)
                show(name, row)
        load_average["after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        server.terminate()
        server.wait(timeout=10)

    lists = ("proposals (student)", "proposals (host)", "conversations")

    def row(name: str, clients: int) -> dict[str, Any]:
        return next(r for r in results[name] if r["clients"] == clients)

    shares, per_round = {}, {}
    for clients in (10, 50):
        bare = row("bare", clients)
        shares[str(clients)] = {
            name: round(row(name, clients)["rps"] / bare["rps"], 3) for name in lists
        }
        per_round[str(clients)] = {
            name: [
                round(mine / ceiling, 3)
                for mine, ceiling in zip(
                    row(name, clients)["rps_per_round"], bare["rps_per_round"], strict=True
                )
            ]
            for name in lists
        }

    # The same comparison by the server's own CPU per answer (bare's / the endpoint's):
    # what one busy server process would reach, whatever its neighbours take.
    cpu_shares = {
        name: round(
            row("bare", 50)["server_cpu_ms_per_request"]
            / row(name, 50)["server_cpu_ms_per_request"],
            3,
        )
        for name in lists
    }
    target_met = all(v >= 0.5 for v in shares["50"].values())
    print(
        "share of the bare endpoint's req/s, slices pooled:",
        shares,
        "target met at 50 clients" if target_met else "TARGET MISSED",
    )
    for clients, by_name in per_round.items():
        print(
            f"share by round at {clients} clients (min-max):",
            {name: f"{min(v):.3f}-{max(v):.3f}" for name, v in by_name.items()},
        )
    print("share of the bare endpoint's server CPU per request at 50 clients:", cpu_shares)
    print("load average (1, 5, 15 min) before and after:", load_average)
    OUT.write_text(
        json.dumps(
            {
                "server": "uvicorn, 1 process, PostgreSQL through the production settings' "
                "psycopg pool (DB_POOL_SIZE 10, CONN_MAX_AGE 0, a connection idle 1 s probed, "
                "prepared statements after 5 runs), DEBUG off",
                "allocator": allocator,
                "server_env": dict(args.server_env),
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
                "share_of_bare": shares,
                "share_of_bare_at_50_clients": shares["50"],
                "share_of_bare_by_round": per_round,
                "share_of_bare_by_server_cpu_at_50_clients": cpu_shares,
                "target_list_endpoints_half_of_bare": target_met,
                "setup_seconds": setup_seconds,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
