"""A member's message on PostgreSQL in one statement: the chat's hottest write.

The ORM's transaction waits on the database several times for each message; one
autocommitted statement waits once (README, "Performance notes"). It only ever stores what the
ORM post (``services._message_store``) would store: when it stores nothing (not PostgreSQL, a
closed or blocked conversation, no membership, a ``client_id`` stored before), that post runs
and decides, so every refusal and its wording live there once. ``test_post_statement.py``
holds the two to the same outcomes.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chat.models import Block, Conversation, Membership, Message

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


def message_insert(
    *, conversation_id: int, sender_id: int, body: str, client_id: str
) -> tuple[Message, list[int]] | None:
    """Store a clean message of a member in an open, unblocked conversation with the next
    ``seq``, and move the sender's read mark; returns it and the other members, or ``None``
    when it stored nothing."""
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    params: dict[str, int | str | dt.datetime] = {
        "conversation": conversation_id,
        "sender": sender_id,
        "open": Conversation.Status.OPEN.value,
        "body": body,
        "client": client_id,
        "now": now,
    }
    # Inside a caller's transaction a savepoint keeps a refused insert from aborting it;
    # alone, the statement is its own transaction (no BEGIN or COMMIT to wait for).
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connection.cursor() as cursor:
            cursor.execute(_STATEMENT, params)
            row = cursor.fetchone()
    except IntegrityError:
        return None  # this client_id was stored before: the ORM post returns that message
    if row is None:
        return None
    message_id, seq, others = row
    message = Message(
        pk=message_id,
        conversation_id=conversation_id,
        seq=seq,
        sender_id=sender_id,
        body=body,
        client_id=client_id,
        created_at=now,
    )
    message._state.adding, message._state.db = False, connection.alias
    return message, list(others)
