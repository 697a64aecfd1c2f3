"""What the notification stream tells a person about their messages: a new message (for a
toast, in the reader's language) with their new unread total (for the badge on Messages), and
their total after they read (for their other tabs).

The services only say "a message came" or "they read" to each member's notification group; the
stream computes the frame for its own user, so the chat's hot path reads nothing for it and a
person with no page open costs nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import display_name
from chat.selectors import unread_totals


def message_frame(*, user: User, conversation_id: int, message_id: int) -> dict[str, Any]:
    """``{"kind": "chat.message", conversation, message, text, unread}``, in the active
    language. Two queries: who sent it, and the reader's total."""
    sender = User.objects.select_related("host_profile").filter(chat_messages=message_id).first()
    # A message gone by the time the notice is read (its sender's account deleted): no name.
    name = display_name(sender) if sender is not None else "…"
    return {
        "kind": "chat.message",
        "conversation": conversation_id,
        "message": message_id,
        "text": _("New message from %(name)s") % {"name": name},
        "unread": unread_totals(user_ids=[user.pk])[user.pk],
    }


def read_frame(*, user: User) -> dict[str, Any]:
    """``{"kind": "chat.unread", unread}`` after the user read: their other tabs update the
    badge. One query."""
    return {"kind": "chat.unread", "unread": unread_totals(user_ids=[user.pk])[user.pk]}
