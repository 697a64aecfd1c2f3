"""bench/chaos_redis.py's clients: a member of a pair that reconnects, resumes and re-sends
as the browser's chat does."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.chaos_services import db, ticket_for

# How long an unechoed message waits before it is sent again, and how many re-sends go out per
# tick: a user may post CHAT_RATE_PER_SECOND (5) messages a second.
RETRY_AFTER_SECONDS = 2.0
RETRIES_PER_TICK = 2
RESEND_ON_RECONNECT = 3


# --- the clients ---------------------------------------------------------------------------------


@dataclass
class Clock:
    """Shared moments of one run (``time.monotonic()``; ``*_wall`` are ``time.time()``)."""

    killed: float | None = None
    killed_wall: float | None = None
    restarted: float | None = None
    restarted_wall: float | None = None


class Member:
    """One member of a pair, connected to its own server; reconnects and resumes on its own."""

    def __init__(self, clock: Clock, port: int, conversation: int, me: int) -> None:
        self.clock = clock
        self.port = port
        self.conversation = conversation
        self.me = me
        self.held: dict[int, str] = {}  # message id → client_id
        self.held_client_ids: set[str] = set()
        self.duplicate_frames = 0
        self.unacked: dict[str, list[Any]] = {}  # client_id → [body, last sent (monotonic)]
        self.created: dict[str, float] = {}  # client_id → when the user wrote it
        self.ws: Any = None
        self.finished = False
        self.opened = asyncio.Event()
        self.down_since: float | None = None
        self.downs: list[tuple[float, float]] = []
        self.reconnects = 0
        self.refused: collections.Counter[str] = collections.Counter()
        self.close_codes: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.sends_while_down = 0
        self.keeper: asyncio.Task[None] | None = None

    def url(self, ticket: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat/{self.conversation}/?ticket={ticket}"

    async def keep_connected(self) -> None:
        """Connect, resume, read until the socket closes; again, with backoff, until finished."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

        attempt = 0
        first = True
        while not self.finished:
            ticket = await db(ticket_for, self.me)
            try:
                ws = await connect(
                    self.url(ticket),
                    origin=f"http://127.0.0.1:{self.port}",  # type: ignore[arg-type]
                    open_timeout=10,
                    ping_interval=None,
                    max_queue=None,
                    compression=None,
                )
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                kind = type(exc).__name__
                if isinstance(exc, InvalidStatus):
                    kind = f"HTTP {exc.response.status_code}"
                self.refused[kind] += 1
                # Jittered exponential backoff, as a browser client does: 0.1 s doubling to 2 s.
                await asyncio.sleep(min(2.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.5))
                attempt += 1
                continue
            if self.finished:
                await ws.close()
                return
            attempt = 0
            now = time.monotonic()
            if self.down_since is not None:
                self.downs.append((self.down_since, now))
                self.down_since = None
            if not first:
                self.reconnects += 1
            self.ws = ws
            self.opened.set()
            try:
                if not first:
                    await ws.send(
                        json.dumps({"type": "resume", "after": max(self.held, default=0)})
                    )
                    for client_id in list(self.unacked)[:RESEND_ON_RECONNECT]:
                        await self.send(client_id)
                first = False
                async for raw in ws:
                    self.on_frame(raw)
            except ConnectionClosed:
                pass
            code = ws.close_code if ws.close_code is not None else "none"
            self.close_codes[str(code)] += 1
            self.ws = None
            self.opened.clear()
            if not self.finished:
                self.down_since = time.monotonic()

    def on_frame(self, raw: str | bytes) -> None:
        frame = json.loads(raw)
        if frame.get("type") == "error":
            self.errors[frame.get("code", "?")] += 1
            return
        if frame.get("type") != "message":
            return
        message = frame["message"]
        if message["id"] in self.held:
            self.duplicate_frames += 1
            return
        client_id = message["client_id"] or ""
        self.held[message["id"]] = client_id
        self.held_client_ids.add(client_id)
        if message["sender"] == self.me:
            self.unacked.pop(client_id, None)

    async def send(self, client_id: str) -> None:
        from websockets.exceptions import ConnectionClosed

        entry = self.unacked.get(client_id)
        if entry is None:
            return
        entry[1] = time.monotonic()
        ws = self.ws
        if ws is None:
            self.sends_while_down += 1
            return
        with contextlib.suppress(ConnectionClosed):
            frame = {"type": "message", "body": entry[0], "client_id": client_id}
            await ws.send(json.dumps(frame))

    async def retry_due(self) -> None:
        """Re-send the oldest unechoed messages (same client_id), a few at a time."""
        if self.ws is None:
            return
        due = time.monotonic() - RETRY_AFTER_SECONDS
        late = [cid for cid, (_body, sent) in self.unacked.items() if sent < due]
        for client_id in late[:RETRIES_PER_TICK]:
            await self.send(client_id)

    async def write(self, until: float, rate: float) -> None:
        """A message every ~1/rate seconds until ``until``, re-sending late ones in between."""
        n = 0
        await asyncio.sleep(random.random() / rate)
        while time.monotonic() < until:
            started = time.monotonic()
            client_id = f"{self.conversation}-{self.me}-{n}"
            n += 1
            self.unacked[client_id] = [f"message {n} from {self.me}", 0.0]
            self.created[client_id] = started
            await self.send(client_id)
            await self.retry_due()
            pause = random.uniform(0.5, 1.5) / rate - (time.monotonic() - started)
            await asyncio.sleep(max(0.0, min(pause, until - time.monotonic())))

    async def close(self) -> None:
        self.finished = True
        if self.ws is not None:
            await self.ws.close()
        if self.keeper is not None:
            await self.keeper
