"""What the benchmarks share: free ports, waiting for a server, percentiles, server options,
the machine a result was measured on, a load generator without collector pauses."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import socket
import subprocess
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def run_phase(phase: Coroutine[Any, Any, T]) -> T:
    """Run one measured phase of a load generator with its garbage collector off: once it holds
    a phase's frames, its own full collections pause every client at once, which would be
    counted as the servers' latency."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        return asyncio.run(phase)
    finally:
        gc.enable()
        gc.unfreeze()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


def name_value(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_server_env_option(parser: argparse.ArgumentParser) -> None:
    """``--server-env NAME=VALUE``: the benchmarks' way to start their servers differently."""
    parser.add_argument(
        "--server-env",
        type=name_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server processes only (repeatable)",
    )


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
