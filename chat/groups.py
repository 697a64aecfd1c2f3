"""Channel-layer group names, in one place so that senders and consumers always agree.

Names use only what channel layers accept (ASCII letters, digits, ``.``, ``-``, ``_``)."""

from __future__ import annotations


def conversation_group(conversation_id: int) -> str:
    """Every socket open on a conversation."""
    return f"chat.conversation.{int(conversation_id)}"


def user_group(user_id: int) -> str:
    """Every socket of one user (chat sockets and the notification stream): to close them all."""
    return f"user.{int(user_id)}"


def notification_group(user_id: int) -> str:
    """The user's notification streams only: chat sockets never receive (and drop) notices."""
    return f"notify.{int(user_id)}"
