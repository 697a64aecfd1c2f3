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
7. disconnects everyone, waits, records each process's RSS again.

Latency is send → arrival at the partner, for messages the partner received live (a message
replayed to a reconnecting partner, or retried by a reconnecting sender, measures the reconnect,
not the chat; those are counted apart). Results go to ``bench/results/chat.json``.

    .venv/bin/python bench/chat_load.py                    # 200 and 1 000 clients, 10 000 messages
    .venv/bin/python bench/chat_load.py --clients 200 --servers daphne
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
import contextlib
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "results" / "chat.json"


# --- set-up --------------------------------------------------------------------------------------


def database_prepare(postgres: str, name: str) -> str:
    """A fresh, migrated database for the benchmark; returns its URL."""
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres}/{name}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    return url


def django_setup(database_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def pairs_make(count: int, tag: str) -> list[tuple[int, int, int]]:
    """``count`` confirmed proposals with their conversations: (conversation, student, host)."""
    from django.utils import timezone

    from accounts.models import Role, User
    from chat.services import conversation_open
    from matching.models import Application, Program, Proposal, Round

    def user(email: str, role: str) -> User:
        u = User(email=email, name=email.split("@")[0], role=role, preferred_language="en")
        u.set_unusable_password()
        return u

    coordinator = User.objects.create(
        email=f"coordinator-{tag}@bench.example", name="Bench", role=Role.COORDINATOR
    )
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    program = Program.objects.create(
        name=f"bench {tag}",
        kind=Program.Kind.HOME_VISIT,
        dates=[day],
        apply_until=timezone.now() + dt.timedelta(days=10),
        created_by=coordinator,
    )
    round_ = Round.objects.create(
        program=program, number=1, status=Round.Status.PUBLISHED, created_by=coordinator
    )
    students = User.objects.bulk_create(
        [user(f"s{n}-{tag}@bench.example", Role.STUDENT) for n in range(count)]
    )
    hosts = User.objects.bulk_create(
        [user(f"h{n}-{tag}@bench.example", Role.HOST) for n in range(count)]
    )
    applications = Application.objects.bulk_create(
        [Application(program=program, user=u, role=u.role, dates=[day]) for u in students + hosts]
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                round=round_,
                program=program,
                student_application=applications[n],
                host_application=applications[count + n],
                date=day,
                score=0.0,
                status=Proposal.Status.CONFIRMED,
            )
            for n in range(count)
        ]
    )
    out = []
    for n, proposal in enumerate(proposals):
        conversation = conversation_open(proposal=proposal)
        out.append((conversation.pk, students[n].pk, hosts[n].pk))
    return out


def ticket_for(user_id: int) -> str:
    from django.db import connection

    from accounts.models import User
    from accounts.services import ws_ticket_issue

    try:
        return ws_ticket_issue(user=User(pk=user_id))
    finally:
        connection.close()  # back to the pool: these threads outlive their event loop


def stored_messages(conversation_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    from django.db import connection

    try:
        return _stored_messages(conversation_ids)
    finally:
        connection.close()  # back to the pool, as in ticket_for


def _stored_messages(conversation_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    from chat.models import Message

    out: dict[int, list[tuple[int, str]]] = {c: [] for c in conversation_ids}
    rows = (
        Message.objects.filter(conversation_id__in=conversation_ids)
        .order_by("conversation_id", "seq")
        .values_list("conversation_id", "id", "client_id")
    )
    for conversation_id, message_id, client_id in rows:
        out[conversation_id].append((message_id, client_id))
    return out


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    kind: str
    port: int
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def cpu_s(self) -> float:
        import psutil

        times = psutil.Process(self.process.pid).cpu_times()
        return times.user + times.system


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of a benchmark's server process: production-like, on its own stores,
    and on the allocator of docker-compose's WebSocket servers where this machine has it
    (``--server-env PYTHONMALLOC=pymalloc`` compares with Python's own)."""
    from config.memory import JEMALLOC_ENV, jemalloc_installed

    return {
        **os.environ,
        **(JEMALLOC_ENV if jemalloc_installed() else {}),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }


def servers_start(
    kind: str, count: int, database_url: str, redis_url: str, extra: dict[str, str] | None = None
) -> list[Server]:
    env = {**server_env(database_url, redis_url), **(extra or {})}
    app = "bench.asgi_bench:application"
    servers = []
    for _ in range(count):
        port = free_port()
        if kind == "daphne":
            command = [
                *(sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)),
                *("-v", "0", app),
            ]
        else:
            command = [
                *(sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)),
                *("--lifespan", "off", "--no-access-log", "--log-level", "warning", app),
            ]
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        servers.append(Server(kind, port, process))
    deadline = time.monotonic() + 60
    for server in servers:
        wait_until_listening(server.process, server.port, deadline, f"{kind} on {server.port}")
    return servers


def wait_until_listening(
    process: subprocess.Popen[bytes], port: int, deadline: float, name: str
) -> None:
    """Return once ``port`` takes connections; raise if the process exits or time runs out."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.2)


def servers_stop(servers: list[Server]) -> None:
    for server in servers:
        server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# --- clients -------------------------------------------------------------------------------------


async def ws_open(port: int, path: str) -> Any:
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        compression=None,
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    )


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


async def echo_phase(ports: list[int], clients: int, per_client: int, rate: float) -> dict:
    latencies: list[float] = []

    async def one(n: int) -> None:
        ws = await ws_open(ports[n % len(ports)], "/ws/echo/")
        try:
            await asyncio.sleep(random.random() / rate)
            for i in range(per_client):
                started = time.perf_counter()
                await ws.send(json.dumps({"type": "message", "body": f"echo {n} {i}"}))
                await ws.recv()
                latencies.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - started)))
        finally:
            await ws.close()

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "frames": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "frames_per_s": round(len(latencies) / elapsed, 1),
    }


async def relay_phase(ports: list[int], clients: int, per_client: int, rate: float) -> dict:
    """The transport floor: clients in pairs on different servers, each frame relayed to the
    partner through the channel layer (bench.echo.RelayConsumer), at the chat's pace."""
    latencies: list[float] = []
    sent_at: dict[str, float] = {}
    done = asyncio.Event()
    expected = (clients // 2) * 2 * per_client

    async def read(ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                frame_id = json.loads(raw)["id"]
                latencies.append((time.perf_counter() - sent_at[frame_id]) * 1000)
                if len(latencies) >= expected:
                    done.set()

    async def one(n: int, ws: Any) -> None:
        await asyncio.sleep(random.random() / rate)
        for i in range(per_client):
            started = time.perf_counter()
            frame_id = f"{n}-{i}"
            sent_at[frame_id] = started
            await ws.send(json.dumps({"type": "message", "id": frame_id, "body": f"relay {i}"}))
            pause = random.uniform(0.5, 1.5) / rate - (time.perf_counter() - started)
            await asyncio.sleep(max(0.0, pause))

    sockets: list[Any] = []
    for wave in range(0, (clients // 2) * 2, 50):
        sockets += await asyncio.gather(
            *(
                ws_open(ports[n % len(ports)], f"/ws/relay/{n // 2}/")
                for n in range(wave, min(wave + 50, (clients // 2) * 2))
            )
        )
    readers = [asyncio.ensure_future(read(ws)) for ws in sockets]
    started = time.perf_counter()
    await asyncio.gather(*(one(n, ws) for n, ws in enumerate(sockets)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=30)
    elapsed = time.perf_counter() - started
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*readers)
    return {
        "frames_sent": len(sent_at),
        "frames_received": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "frames_per_s": round(len(latencies) / elapsed, 1),
    }


async def echo_probe(ws: Any, rate: float, stop: asyncio.Event, latencies: list[float]) -> None:
    await asyncio.sleep(random.random() / rate)
    while not stop.is_set():
        started = time.perf_counter()
        await ws.send(json.dumps({"type": "message", "body": "probe"}))
        await ws.recv()
        latencies.append((time.perf_counter() - started) * 1000)
        pause = random.uniform(0.5, 1.5) / rate - (time.perf_counter() - started)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, pause))


@dataclass
class Shared:
    sent_at: dict[str, float] = field(default_factory=dict)  # client_id → first send
    retried: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    replayed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    reconnects: int = 0
    connect_failures: int = 0
    server_closes: int = 0
    last_arrival: float = 0.0


class Client:
    def __init__(
        self, shared: Shared, ports: list[int], conversation: int, me: int, partner: int, home: int
    ) -> None:
        self.shared = shared
        self.ports = ports
        self.conversation = conversation
        self.me = me
        self.partner = partner
        self.home = home
        self.held: dict[int, int] = {}  # message id → seq
        self.duplicate_frames = 0
        self.unacked: dict[str, str] = {}  # client_id → body
        self.ws: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.opened_at = 0.0
        self.last_arrival = time.perf_counter()
        self.leaving = False  # our own close, not the server's
        self.switching = asyncio.Lock()  # one socket at a time
        self.rescue: asyncio.Future[None] | None = None
        self.finished = False

    async def connect(self, port: int, resume: bool) -> None:
        from websockets.exceptions import InvalidHandshake

        give_up = time.perf_counter() + 120
        attempt = 0
        while True:
            ticket = await asyncio.to_thread(ticket_for, self.me)
            try:
                self.ws = await ws_open(port, f"/ws/chat/{self.conversation}/?ticket={ticket}")
                break
            except (OSError, InvalidHandshake, TimeoutError):
                # A handshake dropped under load: back off and try again, as a browser would.
                self.shared.connect_failures += 1
                if time.perf_counter() > give_up:
                    raise
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.5))
                attempt += 1
                port = random.choice(self.ports)
        self.opened_at = time.perf_counter()
        self.reader = asyncio.ensure_future(self.read(self.ws))
        if resume:
            after = max(self.held, default=0)
            await self.ws.send(json.dumps({"type": "resume", "after": after}))
            for client_id, body in list(self.unacked.items()):
                self.shared.retried.add(client_id)
                await self.send_frame(client_id, body)

    async def read(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            await self._read_frames(ws)
        if not self.leaving and ws is self.ws:
            # The server closed the socket (a ping timeout under load, a restart): a client
            # reconnects and resumes.
            self.shared.server_closes += 1
            self.rescue = asyncio.ensure_future(self.switch(random.choice(self.ports)))

    async def _read_frames(self, ws: Any) -> None:
        async for raw in ws:
            now = time.perf_counter()
            frame = json.loads(raw)
            if frame["type"] == "error":
                code = frame["code"]
                self.shared.errors[code] = self.shared.errors.get(code, 0) + 1
                continue
            if frame["type"] != "message":
                continue
            message = frame["message"]
            if message["id"] in self.held:
                self.duplicate_frames += 1
                continue
            self.held[message["id"]] = message["seq"]
            self.shared.last_arrival = self.last_arrival = now
            client_id = message["client_id"] or ""
            if message["sender"] == self.me:
                self.unacked.pop(client_id, None)
                continue
            sent = self.shared.sent_at.get(client_id)
            if sent is None:
                continue
            if sent < self.opened_at or client_id in self.shared.retried:
                self.shared.replayed += 1
            else:
                self.shared.latencies.append((now - sent) * 1000)

    async def send_frame(self, client_id: str, body: str) -> None:
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(
                json.dumps({"type": "message", "body": body, "client_id": client_id})
            )

    async def drop(self) -> None:
        self.leaving = True
        try:
            if self.ws is not None:
                await self.ws.close()
            if self.reader is not None:
                await self.reader
        finally:
            self.leaving = False

    async def switch(self, port: int) -> None:
        """Drop the socket and reconnect with resume (and retries of unacknowledged sends)."""
        async with self.switching:
            if self.finished:
                return
            await self.drop()
            await self.connect(port, resume=True)

    async def run(self, per_client: int, rate: float, reconnect: float, start: float) -> None:
        await asyncio.sleep(start)
        for i in range(per_client):
            started = time.perf_counter()
            if random.random() < reconnect:
                self.shared.reconnects += 1
                await self.switch(random.choice(self.ports))
            client_id = f"{self.me}-{i}"
            body = f"message {i} from {self.me}"
            self.shared.sent_at[client_id] = time.perf_counter()
            self.unacked[client_id] = body
            await self.send_frame(client_id, body)
            # Jitter around the steady pace, so the clients do not beat in step.
            pause = random.uniform(0.5, 1.5) / rate - (time.perf_counter() - started)
            await asyncio.sleep(max(0.0, pause))


async def chat_phase(
    ports: list[int],
    pairs: list[tuple[int, int, int]],
    per_client: int,
    rate: float,
    reconnect: float,
    settle_timeout: float,
) -> dict:
    shared = Shared()
    clients: list[Client] = []
    for n, (conversation, student, host) in enumerate(pairs):
        clients.append(Client(shared, ports, conversation, student, host, n % len(ports)))
        clients.append(Client(shared, ports, conversation, host, student, (n + 1) % len(ports)))
    # Connect in waves: a thousand simultaneous handshakes measure the handshake, not the chat.
    for wave in range(0, len(clients), 50):
        await asyncio.gather(
            *(c.connect(ports[c.home], resume=False) for c in clients[wave : wave + 50])
        )
    # Echo probes while the chat runs: what any frame costs on these servers under this load.
    probes = [
        await ws_open(ports[n % len(ports)], "/ws/echo/") for n in range(max(2, len(clients) // 10))
    ]
    sending = asyncio.Event()
    probe_latencies: list[float] = []
    probing = [
        asyncio.ensure_future(echo_probe(ws, rate, sending, probe_latencies)) for ws in probes
    ]
    started = time.perf_counter()
    await asyncio.gather(
        *(c.run(per_client, rate, reconnect, random.random() / rate) for c in clients)
    )
    sending_done = time.perf_counter()
    sending.set()
    await asyncio.gather(*probing)
    for ws in probes:
        await ws.close()

    # Settle: retry what is still unacknowledged, then wait until every client holds its
    # conversation's whole sequence (or time runs out, and the shortfall is reported as lost).
    conversation_ids = [p[0] for p in pairs]
    deadline = time.perf_counter() + settle_timeout
    while time.perf_counter() < deadline:
        # Acknowledged before the read: a message echoed to its sender while the read was on
        # its way would be missing from it, and its partner not yet holding it would pass.
        acknowledged = not any(c.unacked for c in clients)
        stored = await asyncio.to_thread(stored_messages, conversation_ids)
        behind = [c for c in clients if len(c.held) < len(stored[c.conversation]) or c.unacked]
        if not behind and acknowledged:
            break
        await asyncio.sleep(0.5)
        for c in behind:
            # Quiet for 2 s and still behind: what any client does, reconnect and resume.
            if time.perf_counter() - c.last_arrival > 2 and not c.switching.locked():
                shared.reconnects += 1
                await c.switch(random.choice(ports))
    stored = await asyncio.to_thread(stored_messages, conversation_ids)
    for c in clients:
        c.finished = True
        async with c.switching:
            c.leaving = True
            if c.ws is not None:
                await c.ws.close()
            if c.reader is not None:
                await c.reader

    lost = 0
    for c in clients:
        ids = {message_id for message_id, _ in stored[c.conversation]}
        lost += len(ids - set(c.held))
    duplicate_messages = 0
    sent_ids = set(shared.sent_at)
    stored_client_ids: dict[str, int] = {}
    for rows in stored.values():
        for _, client_id in rows:
            stored_client_ids[client_id] = stored_client_ids.get(client_id, 0) + 1
    duplicate_messages = sum(n - 1 for n in stored_client_ids.values() if n > 1)
    never_stored = len(sent_ids - set(stored_client_ids))
    total = sum(len(rows) for rows in stored.values())
    window = max(shared.last_arrival, sending_done) - started
    return {
        "messages_stored": total,
        "messages_sent": len(sent_ids),
        "never_stored": never_stored,
        "lost": lost,
        "duplicated_messages": duplicate_messages,
        "duplicate_frames": sum(c.duplicate_frames for c in clients),
        "reconnects": shared.reconnects,
        "refused_handshakes_retried": shared.connect_failures,
        "closed_by_server_and_resumed": shared.server_closes,
        "retried_messages": len(shared.retried),
        "replayed_to_partner": shared.replayed,
        "error_frames": shared.errors,
        "latency_samples": len(shared.latencies),
        "echo_during_chat": {
            "probes": len(probes),
            "frames": len(probe_latencies),
            "p50_ms": percentile(probe_latencies, 50),
            "p99_ms": percentile(probe_latencies, 99),
        },
        "p50_ms": percentile(shared.latencies, 50),
        "p99_ms": percentile(shared.latencies, 99),
        "mean_ms": round(statistics.fmean(shared.latencies), 2) if shared.latencies else None,
        "msgs_per_s": round(total / window, 1) if window > 0 else None,
        "send_phase_s": round(sending_done - started, 2),
    }


# Pairs that warm the servers up before memory is first read: enough at once that every
# thread of the socket database pool has opened its connection, so the baseline is a server
# in its working state and the growth after the run is what the clients left behind.
WARM_PAIRS = 16


async def warm_up(ports: list[int], pairs: list[tuple[int, int, int]]) -> None:
    shared = Shared()

    async def one(conversation: int, student: int, host: int) -> None:
        a = Client(shared, ports, conversation, student, host, 0)
        b = Client(shared, ports, conversation, host, student, 1)
        await a.connect(ports[0], resume=False)
        await b.connect(ports[1 % len(ports)], resume=False)
        for i in range(3):
            await a.send_frame(f"warm-a-{i}", "warm")
            await b.send_frame(f"warm-b-{i}", "warm")
            await asyncio.sleep(0.25)
        await asyncio.sleep(0.5)
        await a.drop()
        await b.drop()

    await asyncio.gather(*(one(*pair) for pair in pairs))
    for port in ports:
        ws = await ws_open(port, "/ws/echo/")
        await ws.send("warm")
        await ws.recv()
        await ws.close()
        ws = await ws_open(port, "/ws/relay/warm/")
        await ws.close()


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def run_one(kind: str, clients: int, args: argparse.Namespace, database_url: str) -> dict:
    from config.memory import allocator_of

    per_client = max(1, args.messages // clients)
    rate = args.rate if args.rate else args.total_rate / clients
    floor_per_client = max(1, args.floor_frames // clients)
    flush_redis(args.redis)
    tag = f"{kind}-{clients}-{int(time.time())}"
    half = clients // 2
    pairs = pairs_make(WARM_PAIRS + half * (2 if args.again else 1), tag)
    warm_pairs, pairs = pairs[:WARM_PAIRS], pairs[WARM_PAIRS:]
    pairs, again_pairs = pairs[:half], pairs[half:]
    load_before = os.getloadavg()[0]
    servers = servers_start(kind, args.processes, database_url, args.redis, dict(args.server_env))
    allocator = allocator_of({**server_env(database_url, args.redis), **dict(args.server_env)})
    ports = [s.port for s in servers]
    try:
        asyncio.run(warm_up(ports, warm_pairs))
        time.sleep(1)
        rss_before = [round(s.rss_mb(), 1) for s in servers]
        cpu_start = sum(s.cpu_s() for s in servers)
        echo = asyncio.run(echo_phase(ports, clients, floor_per_client, rate))
        cpu_echo = sum(s.cpu_s() for s in servers)
        relay = asyncio.run(relay_phase(ports, clients, floor_per_client, rate))
        cpu_relay = sum(s.cpu_s() for s in servers)
        relay["server_cpu_ms_per_frame"] = round(
            (cpu_relay - cpu_echo) * 1000 / max(1, relay["frames_received"]), 3
        )
        chat = asyncio.run(chat_phase(ports, pairs, per_client, rate, args.reconnect, args.settle))
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
            chat_again = asyncio.run(
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
        "server": kind,
        "processes": args.processes,
        "server_env": dict(args.server_env),
        "allocator": allocator,
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
                for k in ("lost", "duplicated_messages", "duplicate_frames", "p50_ms", "p99_ms")
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
            "p99_within_1_5x_echo": p99_ratio is not None and p99_ratio <= 1.5,
            "memory_within_10_percent": all(g <= 10 for g in growth),
            "memory_flat_on_second_round": (
                all(b <= a * 1.05 for a, b in zip(rss_after, rss_after_again, strict=True))
                if rss_after_again
                else None
            ),
        },
    }


def _name_value(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_server_env_option(parser: argparse.ArgumentParser) -> None:
    """``--server-env NAME=VALUE``: the benchmarks' way to start their servers differently."""
    parser.add_argument(
        "--server-env",
        type=_name_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server processes only (repeatable), e.g. "
        "jemalloc (config/memory.py's JEMALLOC_ENV): LD_PRELOAD=libjemalloc.so.2 "
        "PYTHONMALLOC=malloc MALLOC_CONF=background_thread:true",
    )


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
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    random.seed(args.seed)

    database_url = database_prepare(args.postgres, args.database)
    django_setup(database_url, args.redis)
    runs = []
    for clients in args.clients:
        for kind in args.servers:
            print(f"{kind}: {clients} clients …", flush=True)
            result = run_one(kind, clients, args, database_url)
            runs.append(result)
            chat, echo = result["chat"], result["echo"]
            print(
                f"  lost={chat['lost']} dup={chat['duplicated_messages']}"
                f"/{chat['duplicate_frames']} p50={chat['p50_ms']}ms p99={chat['p99_ms']}ms"
                f" (echo p50={echo['p50_ms']}ms p99={echo['p99_ms']}ms;"
                f" relay p50={result['relay']['p50_ms']}ms p99={result['relay']['p99_ms']}ms)"
                f" {chat['msgs_per_s']} msg/s reconnects={chat['reconnects']}"
                f" rss {result['rss_mb_before']} → {result['rss_mb_after']} MB"
                f" ({result['allocator']})"
                f" server cpu {chat['server_cpu_ms_per_message']} ms/msg"
                f" (echo {echo['server_cpu_ms_per_frame']} ms/frame)",
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


def machine() -> dict[str, Any]:
    """What a result file says of the machine it was measured on."""
    import platform

    import psutil

    return {
        "cpus": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_average": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
