"""A small asyncio HTTP/1.1 keep-alive load generator: slices of clients against one server,
their latencies pooled, the server's CPU per answer."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any


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
    """User and system CPU time so far of a server: its process and its workers."""
    import psutil

    process = psutil.Process(pid)
    total = 0.0
    for one in [process, *process.children(recursive=True)]:
        times = one.cpu_times()
        total += times.user + times.system
    return total


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


def show(name: str, row: dict[str, Any]) -> None:
    print(
        f"{name:32} {row['clients']:3} clients  {row['rps']:8.1f} req/s  "
        f"p50 {row['p50_ms']:7.2f} ms  p99 {row['p99_ms']:8.2f} ms  errors {row['errors']}  "
        f"server CPU {row['server_cpu_ms_per_request']} ms/request",
        flush=True,
    )
