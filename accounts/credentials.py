"""The one place that notices a person's credentials change: a new password (changed, reset,
set in the admin or by ``changepassword``), a deactivation, or a deletion (which does both).

Django has no "password changed" signal, so the password hash and the active flag seen when a
user row is loaded are compared after each save. On a change, inside the save's transaction,
every API token and unused WebSocket ticket of the user is revoked
(``accounts.services.user_credentials_revoke``) and ``accounts.signals.credentials_changed``
is sent, on which chat closes the user's sockets.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_init, post_save

from accounts.models import User
from accounts.services import user_credentials_revoke
from accounts.signals import credentials_changed

_LOADED = "_accounts_loaded_credentials"


def _credentials(instance: User) -> tuple[Any, Any]:
    # __dict__ rather than attributes: a deferred field must not cost a query here.
    return instance.__dict__.get("password"), instance.__dict__.get("is_active")


def _remember(sender: Any, instance: User, **kwargs: Any) -> None:
    setattr(instance, _LOADED, _credentials(instance))


def _compare(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, _LOADED, None)
    now = _credentials(instance)
    setattr(instance, _LOADED, now)
    if created or before is None:
        return
    password_changed = before[0] is not None and now[0] is not None and before[0] != now[0]
    deactivated = before[1] is True and now[1] is False
    if password_changed or deactivated:
        user_credentials_revoke(user_id=instance.pk)
        credentials_changed.send(sender=User, user_id=instance.pk)


def connect() -> None:
    post_init.connect(_remember, sender=User, dispatch_uid="accounts.credentials.remember")
    post_save.connect(_compare, sender=User, dispatch_uid="accounts.credentials.compare")
