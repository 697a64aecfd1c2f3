"""The chat benchmark's phases: the echo and relay floors, the chat itself, the warm-up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import time
from typing import Any

from bench.chat_clients import Client, Shared, echo_probe, ws_open
from bench.chat_setup import stored_messages
from bench.common import percentile


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
