"""The chat benchmark's clients: a member of a pair that reconnects and resumes as the browser
does, and an echo probe."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from bench.chat_setup import ticket_for


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
