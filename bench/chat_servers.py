"""The chat benchmarks' ASGI servers (daphne or uvicorn) on ``bench.asgi_bench``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, free_port, wait_until_listening


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
    """The environment of a benchmark's server process: production-like, on its own stores."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }


def servers_start(
    kind: str,
    count: int,
    database_url: str,
    redis_url: str,
    extra: dict[str, str] | None = None,
    tree: Path = ROOT,
) -> list[Server]:
    """``count`` processes of ``kind`` serving ``tree``'s code (another checkout compares)."""
    env = {**server_env(database_url, redis_url), "PYTHONPATH": str(tree), **(extra or {})}
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
        process = subprocess.Popen(command, cwd=tree, env=env)
        servers.append(Server(kind, port, process))
    deadline = time.monotonic() + 60
    for server in servers:
        wait_until_listening(server.process, server.port, deadline, f"{kind} on {server.port}")
    return servers


def servers_stop(servers: list[Server]) -> None:
    for server in servers:
        server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
