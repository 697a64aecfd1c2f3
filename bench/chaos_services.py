"""bench/chaos_redis.py's services: a Redis of its own to kill, the ASGI servers with their
logs, and the database reads the clients are checked against."""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import chat_servers
from bench.chat_servers import server_env, servers_stop
from bench.common import ROOT, free_port, wait_until_listening

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


# --- the private Redis ---------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server child process on its own port, which can be killed and started again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server on {self.port} exited ({self.process.returncode})"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on {self.port} did not answer PING")
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, connections reset, everything in memory gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# --- the ASGI servers ----------------------------------------------------------------------------


@dataclass
class Server(chat_servers.Server):
    log: Path


@contextlib.contextmanager
def servers_running(
    kinds: list[str], database_url: str, redis_url: str, log_dir: Path
) -> Iterator[list[Server]]:
    """One server process of each kind on ``config.asgi:application``, logs in ``log_dir``."""
    env = server_env(database_url, redis_url)
    servers: list[Server] = []
    try:
        for n, kind in enumerate(kinds):
            port = free_port()
            if kind == "daphne":
                command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            elif kind == "uvicorn":
                command = [
                    *(sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port)),
                    *("--lifespan", "off", "--no-access-log"),
                ]
            else:
                raise ValueError(f"unknown server kind {kind!r}: use daphne or uvicorn")
            log = log_dir / f"{n}-{kind}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [*command, "config.asgi:application"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            servers.append(Server(kind, port, process, log))
        deadline = time.monotonic() + 60
        for server in servers:
            try:
                wait_until_listening(server.process, server.port, deadline, server.kind)
            except RuntimeError as exc:
                raise RuntimeError(f"{exc}:\n{server.log.read_text()[-3000:]}") from None
        yield servers
    finally:
        servers_stop(servers)


def server_log_summary(server: Server) -> dict[str, Any]:
    """What a server logged: exception class names by count, and group_send failures."""
    text = server.log.read_text(errors="replace")
    # The last line of each traceback, in plain text (uvicorn) or inside JSON (daphne).
    names = collections.Counter(
        re.findall(r"(?:^|\\n)([A-Za-z_][\w.]*(?:Error|Exception)): ", text, flags=re.MULTILINE)
    )
    return {
        "server": server.kind,
        "tracebacks": text.count("Traceback (most recent call last)"),
        "exceptions": dict(names.most_common()),
        "group_send_failures_logged": len(re.findall(r"channel layer group_send .* failed", text)),
    }


# --- database reads (the clients' view is checked against these) --------------------------------


def ticket_for(user_id: int) -> str:
    from accounts.models import User
    from accounts.services import ws_ticket_issue

    return ws_ticket_issue(user=User(pk=user_id))


def api_token_for(user_id: int) -> str:
    from accounts.models import User
    from accounts.services import token_for

    return token_for(user=User.objects.get(pk=user_id))


def api_post(port: int, token: str, conversation: int, client_id: str) -> str:
    """POST a message through the HTTP API; the answer's status (and error detail)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/conversations/{conversation}/messages/",
        data=json.dumps({"body": f"API probe {client_id}", "client_id": client_id}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (our own server)
            return str(answer.status)
    except urllib.error.HTTPError as exc:
        kind = exc.headers.get("Content-Type", "")
        detail = exc.read()[:200].decode(errors="replace") if "json" in kind else kind
        return f"{exc.code} {detail}"
    except OSError as exc:
        return type(exc).__name__


def stored_rows(conversation_ids: list[int]) -> list[tuple[int, int, str, dt.datetime]]:
    """(conversation, message id, client_id, created_at) of every stored message."""
    from chat.models import Message

    return list(
        Message.objects.filter(conversation_id__in=conversation_ids)
        .order_by("conversation_id", "seq")
        .values_list("conversation_id", "id", "client_id", "created_at")
    )


async def db(func: Any, *args: Any) -> Any:
    from channels.db import database_sync_to_async

    return await database_sync_to_async(func)(*args)
