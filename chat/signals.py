"""chat's receivers: what the apps it builds on (accounts, matching) announce, chat acts on.

- Logging out, a new password and deactivation end every live socket of the user
  (``chat.services.user_sockets_close``). Django has no "password changed" signal, so the
  password hash and the active flag seen at load time are compared after each save.
- A deleted account's messages go and its sockets close (``accounts.signals.user_deleted``).
- A confirmed match opens its conversation, a cancelled one closes it, retention deletes a
  programme's messages, and matching's live events reach the notification stream
  (``matching.signals``).

Each receiver runs inside the sender's transaction and sends its own events on commit.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_init, post_save

from accounts.signals import user_deleted
from chat.services import (
    conversation_close_for_proposal,
    conversation_open,
    conversation_purge_for_program,
    notification_send,
    user_purge,
    user_sockets_close,
)
from matching.signals import live_event, match_cancelled, match_confirmed, program_purged

_LOADED = "_chat_loaded_credentials"


def _credentials(instance: Any) -> tuple[Any, Any]:
    # __dict__ rather than attributes: a deferred field must not cost a query here.
    return instance.__dict__.get("password"), instance.__dict__.get("is_active")


def remember_credentials(sender: Any, instance: Any, **kwargs: Any) -> None:
    setattr(instance, _LOADED, _credentials(instance))


def close_sockets_on_credentials_change(
    sender: Any, instance: Any, created: bool, **kwargs: Any
) -> None:
    before = getattr(instance, _LOADED, None)
    now = _credentials(instance)
    setattr(instance, _LOADED, now)
    if created or before is None:
        return
    password_changed = before[0] is not None and now[0] is not None and before[0] != now[0]
    deactivated = before[1] is True and now[1] is False
    if password_changed or deactivated:
        user_sockets_close(user_id=instance.pk)


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
    user_model = get_user_model()
    post_init.connect(remember_credentials, sender=user_model, dispatch_uid="chat.remember")
    post_save.connect(
        close_sockets_on_credentials_change, sender=user_model, dispatch_uid="chat.credentials"
    )
    user_logged_out.connect(close_sockets_on_logout, dispatch_uid="chat.logout")
    user_deleted.connect(purge_deleted_user, dispatch_uid="chat.user_deleted")
    match_confirmed.connect(open_conversation, dispatch_uid="chat.match_confirmed")
    match_cancelled.connect(close_conversation, dispatch_uid="chat.match_cancelled")
    program_purged.connect(purge_program, dispatch_uid="chat.program_purged")
    live_event.connect(push_live_event, dispatch_uid="chat.live_event")
