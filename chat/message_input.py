"""A chat message's input as the services store it: the text and the client's id, checked
once for the socket and the API alike (each refusal names its field)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chat.models import CLIENT_ID_MAX


def storable(text: str) -> bool:
    """Text a database stores as it was sent: no NUL (PostgreSQL refuses it) and no lone
    surrogate (it has no UTF-8 form), either of which a JSON string can carry."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def body_clean(body: Any) -> str:
    """A message's text as stored: trimmed, not empty, storable and within the limit."""
    text = body.strip() if isinstance(body, str) else ""
    if text and not storable(text):
        raise _field_error(
            "body", _("A message cannot contain NUL characters or unpaired surrogates."), "bad_body"
        )
    if not text:
        raise _field_error("body", _("Write a message first."), "empty_body")
    if len(text) > settings.CHAT_MAX_BODY:
        message = _("A message has at most %(n)d characters.") % {"n": settings.CHAT_MAX_BODY}
        raise _field_error("body", message, "body_too_long")
    return text


def client_id_clean(client_id: Any) -> str:
    """The client's own id of a message (for retries): short storable text, or empty."""
    if client_id is None:
        return ""
    if (
        not isinstance(client_id, str)
        or len(client_id.strip()) > CLIENT_ID_MAX
        or not storable(client_id)
    ):
        message = _("client_id is text of at most %(n)d characters.") % {"n": CLIENT_ID_MAX}
        raise _field_error("client_id", message, "bad_client_id")
    return client_id.strip()
