"""Close a user's sockets when their credentials stop being valid; deliver matching's live
notifications to the users' notification streams.

Logging out, a new password and deactivation all end every live socket of the user
(``chat.services.user_sockets_close``). Django has no "password changed" signal, so the
password hash and the active flag seen at load time are compared after each save.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_init, post_save

from chat.services import notification_send, user_sockets_close
from matching.signals import live_notification

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


def push_live_notification(
    sender: Any, *, user_ids: list[int], event: dict[str, Any], **kwargs: Any
) -> None:
    notification_send(user_ids=user_ids, event=event)


def connect() -> None:
    user_model = get_user_model()
    post_init.connect(remember_credentials, sender=user_model, dispatch_uid="chat.remember")
    post_save.connect(
        close_sockets_on_credentials_change, sender=user_model, dispatch_uid="chat.credentials"
    )
    user_logged_out.connect(close_sockets_on_logout, dispatch_uid="chat.logout")
    live_notification.connect(push_live_notification, dispatch_uid="chat.live_notification")
