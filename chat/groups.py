"""Channel-layer group names, in one place so that senders and consumers always agree.

Names use only what channel layers accept (ASCII letters, digits, ``.``, ``-``, ``_``)."""

from __future__ import annotations


def conversation_group(conversation_id: int) -> str:
    """Every socket open on a conversation."""
    return f"chat.conversation.{int(conversation_id)}"


def user_group(user_id: int) -> str:
    """Every socket of one user: chat sockets and the notification stream."""
    return f"user.{int(user_id)}"
