"""Security events as structured log lines: log-ins, failed log-ins, log-outs, refused access
and admin actions.

Lines carry ids, roles and addresses, never e-mail addresses, tokens, profile contents or
message bodies: the logs are read by more people than the database is. A failed log-in names
its account only by a short keyed hash, so repeated attempts on one account can be correlated
without writing the address down."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest

from accounts.client import client_address

logger = logging.getLogger("engawa.security")


def account_fingerprint(login_name: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), login_name.strip().lower().encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def security_event(event: str, **fields: Any) -> None:
    logger.info(event, extra={"event": event, **fields})


def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event("login", user_id=user.pk, role=user.role, ip=client_address(request))


def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    security_event("logout", user_id=getattr(user, "pk", None), ip=client_address(request))


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    name = str(credentials.get("email") or credentials.get("username") or "")
    security_event("login_failed", account=account_fingerprint(name), ip=client_address(request))


def _admin_action(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created:
        security_event(
            "admin_action",
            user_id=instance.user_id,
            action=instance.get_action_flag_display(),
            content_type=str(instance.content_type) if instance.content_type_id else "",
            object_id=instance.object_id,
        )


def access_refused(*, user_id: int | None, path: str, status: int, channel: str = "http") -> None:
    security_event("access_refused", user_id=user_id, path=path, status=status, channel=channel)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="engawa.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="engawa.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="engawa.audit.login_failed")
    post_save.connect(_admin_action, sender=LogEntry, dispatch_uid="engawa.audit.admin")
