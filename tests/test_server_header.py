"""No response names its server: gunicorn (production's web, with gunicorn.conf.py) and daphne
(production's ws, with docker-compose.yml's arguments), started for real."""

from __future__ import annotations

import http.client
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def headers_of(port: int, deadline: float = 60.0) -> dict[str, str]:
    """A GET of a path no route answers (no database needed): the response's headers."""
    end = time.monotonic() + deadline
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/no-such-page/", headers={"Host": "localhost"})
            response = conn.getresponse()
            response.read()
            conn.close()
            return {name.lower(): value for name, value in response.getheaders()}
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.3)


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []

    def start(argv: list[str]) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(BASE_DIR),
        }
        started.append(
            subprocess.Popen(
                argv, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def compose_command(service: str) -> list[str]:
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    command = compose["services"][service]["command"]
    return list(command) if isinstance(command, list) else shlex.split(command)


def test_gunicorn_sends_no_server_header(serve: Any) -> None:
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    serve([*gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"])
    headers = headers_of(port)
    assert "server" not in headers, headers


def test_daphne_as_compose_runs_it_sends_no_server_header(serve: Any) -> None:
    port = free_port()
    daphne = compose_command("ws")
    daphne[daphne.index("--bind") + 1] = "127.0.0.1"
    daphne[daphne.index("--port") + 1] = str(port)
    serve([sys.executable, "-m", *daphne])
    headers = headers_of(port)
    assert "server" not in headers, headers
