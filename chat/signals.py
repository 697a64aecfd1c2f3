"""chat's receivers: what the apps it builds on (accounts, matching) announce, chat acts on.

- Logging out of the pages, and a new password or a deactivation (``accounts.signals.
  credentials_changed``, which a deletion sends too), end every live socket of the user
  (``chat.services.user_sockets_close``).
- A deleted account's messages go (``accounts.signals.user_deleted``).
- A confirmed match opens its conversation, a cancelled one closes it, retention deletes a
  programme's messages, and matching's live events reach the notification stream
  (``matching.signals``).

Each receiver runs inside the sender's transaction and sends its own events on commit.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out

from accounts.signals import credentials_changed, user_deleted
from chat.services import (
    conversation_close_for_proposal,
    conversation_open,
    conversation_purge_for_program,
    notification_send,
    user_purge,
    user_sockets_close,
)
from matching.signals import live_event, match_cancelled, match_confirmed, program_purged


def close_sockets_on_credentials_change(sender: Any, user_id: int, **kwargs: Any) -> None:
    user_sockets_close(user_id=user_id)


def close_sockets_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.pk is not None:
        user_sockets_close(user_id=user.pk)


def purge_deleted_user(sender: Any, user: Any, **kwargs: Any) -> None:
    user_purge(user=user)


def open_conversation(sender: Any, proposal: Any, **kwargs: Any) -> None:
    conversation_open(proposal=proposal)


def close_conversation(sender: Any, proposal: Any, reason: str = "", **kwargs: Any) -> None:
    conversation_close_for_proposal(proposal=proposal, reason=reason)


def purge_program(sender: Any, program_id: int, **kwargs: Any) -> None:
    conversation_purge_for_program(program_id=program_id)


def push_live_event(sender: Any, user_ids: Any, event: dict[str, Any], **kwargs: Any) -> None:
    notification_send(user_ids=user_ids, event=event)


def connect() -> None:
    credentials_changed.connect(
        close_sockets_on_credentials_change, dispatch_uid="chat.credentials"
    )
    user_logged_out.connect(close_sockets_on_logout, dispatch_uid="chat.logout")
    user_deleted.connect(purge_deleted_user, dispatch_uid="chat.user_deleted")
    match_confirmed.connect(open_conversation, dispatch_uid="chat.match_confirmed")
    match_cancelled.connect(close_conversation, dispatch_uid="chat.match_cancelled")
    program_purged.connect(purge_program, dispatch_uid="chat.program_purged")
    live_event.connect(push_live_event, dispatch_uid="chat.live_event")
