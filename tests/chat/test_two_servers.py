"""Two real ASGI server processes (daphne and uvicorn) on one PostgreSQL and one Redis: a
message sent through one reaches a member connected to the other, and a member who moves to
the other server resumes without a gap."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from accounts.models import User
from accounts.services import ws_ticket_issue
from chat.models import Conversation, Message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server on {port} exited:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def servers(postgres: None, redis_url: str) -> Iterator[list[int]]:
    """daphne and uvicorn on free ports, both on the test database and the test Redis."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    database_url = f"postgres://{credentials}@{host}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    ports = [free_port(), free_port()]
    commands = [
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(ports[0])],
        [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(ports[1])],
    ]
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        for command in commands:
            log = Path(tempfile.mkstemp(prefix="engawa-chat-server-", suffix=".log")[1])
            logs.append(log)
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [*command, "config.asgi:application"],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for port, process, log in zip(ports, processes, logs, strict=True):
            wait_listening(port, process, log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.unlink(missing_ok=True)


async def ws(port: int, conversation: Conversation, user: User) -> Any:
    from websockets.asyncio.client import connect

    ticket = await database_sync_to_async(ws_ticket_issue)(user=user)
    return await connect(
        f"ws://127.0.0.1:{port}/ws/chat/{conversation.pk}/?ticket={ticket}",
        origin=f"http://127.0.0.1:{port}",
        open_timeout=10,
    )


async def frame(socket_: Any, timeout: float = 5) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(socket_.recv(), timeout))


async def test_a_message_crosses_from_one_server_to_the_other(
    servers: list[int], conversation: Conversation, student: User, host: User
) -> None:
    daphne_port, uvicorn_port = servers
    a = await ws(daphne_port, conversation, student)
    b = await ws(uvicorn_port, conversation, host)
    try:
        await a.send(json.dumps({"type": "message", "body": "from daphne", "client_id": "x1"}))
        mine = await frame(a)
        theirs = await frame(b)
        assert mine["message"]["body"] == theirs["message"]["body"] == "from daphne"
        assert mine["message"]["id"] == theirs["message"]["id"]

        await b.send(json.dumps({"type": "message", "body": "from uvicorn"}))
        assert (await frame(a))["message"]["body"] == "from uvicorn"
        last_seen = (await frame(b))["message"]["id"]

        # B leaves, two messages go by, B comes back on the other server and resumes.
        await b.close()
        for body in ("while away 1", "while away 2"):
            await a.send(json.dumps({"type": "message", "body": body}))
            await frame(a)
        b = await ws(daphne_port, conversation, host)
        await b.send(json.dumps({"type": "resume", "after": last_seen}))
        replayed = [(await frame(b))["message"]["body"] for _ in range(2)]
        assert replayed == ["while away 1", "while away 2"]
    finally:
        await a.close()
        await b.close()
    bodies = await database_sync_to_async(
        lambda: list(Message.objects.order_by("seq").values_list("body", flat=True))
    )()
    assert bodies == ["from daphne", "from uvicorn", "while away 1", "while away 2"]


async def test_an_idle_socket_outlives_the_layers_blocking_reads(
    servers: list[int], conversation: Conversation, student: User, host: User
) -> None:
    """channels_redis waits for events in 5 s blocking reads; an idle socket stays open across
    several of them (a client-side read timeout no longer than the wait used to close it)."""
    daphne_port, uvicorn_port = servers
    a = await ws(daphne_port, conversation, student)
    b = await ws(uvicorn_port, conversation, host)
    try:
        await asyncio.sleep(12)
        await a.send(json.dumps({"type": "message", "body": "still here", "client_id": "idle"}))
        assert (await frame(a))["message"]["body"] == "still here"
        assert (await frame(b))["message"]["body"] == "still here"
    finally:
        await a.close()
        await b.close()
