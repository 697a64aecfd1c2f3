"""A message from a chat socket, posted on the socket's event loop: the chat's hottest write.

On PostgreSQL a member's clean message is the pace check on the loop's Redis connection, one
autocommitted statement on the loop's own connections, and the sends: no worker thread, so
nothing waits for one (README, "Performance notes"). Everything else (SQLite, a coordinator, bad
input, a closed or blocked conversation, an outsider, a ``client_id`` stored before, a lost
connection) goes to the general post (``services.message_store``) in a worker thread, which
decides it: every refusal and its wording live there once. ``test_post_statement.py`` holds the
two to the same outcomes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from accounts.api.fields import is_row_id
from accounts.models import Role, User
from accounts.per_loop import PerLoop
from accounts.ratelimit import window_hits_async
from chat import services
from chat.message_input import body_clean, client_id_clean
from chat.models import Block, Conversation, Membership, Message
from chat.sockets import db

_STATEMENT = f"""
WITH raised AS (
    UPDATE {Conversation._meta.db_table} SET last_seq = last_seq + 1
    WHERE id = %(conversation)s AND status = %(open)s
      AND EXISTS (SELECT 1 FROM {Membership._meta.db_table}
                  WHERE conversation_id = %(conversation)s AND user_id = %(sender)s)
      AND NOT EXISTS (SELECT 1 FROM {Block._meta.db_table}
                      WHERE conversation_id = %(conversation)s)
    RETURNING last_seq
), stored AS (
    INSERT INTO {Message._meta.db_table}
        (conversation_id, seq, sender_id, body, client_id, created_at)
    SELECT %(conversation)s, last_seq, %(sender)s, %(body)s, %(client)s, %(now)s FROM raised
    RETURNING id, seq
), read_mark AS (
    UPDATE {Membership._meta.db_table} SET last_read_seq = (SELECT seq FROM stored)
    WHERE conversation_id = %(conversation)s AND user_id = %(sender)s
      AND EXISTS (SELECT 1 FROM stored)
)
SELECT id, seq, ARRAY(SELECT user_id FROM {Membership._meta.db_table}
                      WHERE conversation_id = %(conversation)s AND user_id <> %(sender)s)
FROM stored
"""  # noqa: S608  (table names from the models; every value is a parameter)


async def message_post(
    *, conversation_id: int, sender: User, body: Any, client_id: Any, language: str
) -> tuple[Message, bool]:
    """``services.message_post`` for a socket; raises as it does."""
    services.pace_enforce(await window_hits_async(*services.pace_window(sender.pk)))
    stored = await _insert_at_once(conversation_id, sender, body, client_id)
    if stored is None:
        return await db(
            services.message_store,
            language,
            conversation_id=conversation_id,
            sender=sender,
            body=body,
            client_id=client_id,
        )
    message, others = stored
    await services.group_send_all(*services.announcement(message, others))
    return message, True


# How these connections show in pg_stat_activity, unless the settings name one.
APPLICATION_NAME = "engawa-chat-post"
# A database that does not answer sends the post the general way in seconds, not at TCP's
# timeout; unless the settings' OPTIONS say otherwise.
CONNECT_TIMEOUT_SECONDS = 10


class _Connections:
    """The running loop's connections for the statement: reused, at most the pool's size
    (``DB_POOL_SIZE``) at once, and closed with the loop (``PerLoop``). Not psycopg's pool: its
    workers are tasks of the loop, cancelled before the loop closes, and then it cannot close
    its connections."""

    def __init__(self) -> None:
        database = connections["default"]
        self._params = database.get_connection_params()
        self._params.pop("cursor_factory")  # Django's is for its own, synchronous connections
        self._params.setdefault("application_name", APPLICATION_NAME)
        self._params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        pool = database.settings_dict["OPTIONS"].get("pool") or {}
        self._room = asyncio.Semaphore(pool.get("max_size", 4))
        self._idle: list[psycopg.AsyncConnection[Any]] = []

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        async with self._room:
            connection = self._idle.pop() if self._idle else await self._connect()
            try:
                yield connection
            except psycopg.OperationalError:
                await self.close()  # PostgreSQL restarted? The idle ones are gone too.
                raise
            finally:
                # Only an idle one goes back: not a closed or broken one, nor one still busy.
                if connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                    self._idle.append(connection)
                else:
                    await connection.close()

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(**self._params, autocommit=True)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


_connections: PerLoop[_Connections] = PerLoop(_Connections, _Connections.close)


async def _insert_at_once(
    conversation_id: int, sender: User, body: Any, client_id: Any
) -> tuple[Message, list[int]] | None:
    """A member's clean message, stored with the next ``seq`` and the sender's read mark moved,
    and the other members; ``None`` when the statement stored nothing."""
    if connections["default"].vendor != "postgresql":
        return None
    if sender.role == Role.COORDINATOR or not sender.is_active or not is_row_id(conversation_id):
        return None
    try:
        client, text = client_id_clean(client_id), body_clean(body)
    except ValidationError:
        return None  # refused the general way, access first
    now = timezone.now()
    params: dict[str, int | str | dt.datetime] = {
        "conversation": conversation_id,
        "sender": sender.pk,
        "open": Conversation.Status.OPEN.value,
        "body": text,
        "client": client,
        "now": now,
    }
    try:
        async with _connections.get().connection() as connection:
            row = await (await connection.execute(_STATEMENT, params)).fetchone()
    except psycopg.errors.UniqueViolation:
        return None  # this client_id was stored before: the general post returns that message
    except psycopg.OperationalError:
        return None  # a connection lost: the general post decides, on a fresh one
    if row is None:
        return None
    message_id, seq, others = row
    stored = {
        "id": message_id,
        "conversation_id": conversation_id,
        "seq": seq,
        "sender_id": sender.pk,
        "body": text,
        "client_id": client,
        "created_at": now,
    }
    names = [field.attname for field in Message._meta.concrete_fields]
    message = Message.from_db("default", names, [stored[name] for name in names])
    return message, list(others)
