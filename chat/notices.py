"""What the notification stream tells people about their messages, after the write commits:
a new message (for a toast, in the reader's language) and everyone's new unread total (for
the badge on Messages), and the reader's own total after reading (for their other tabs).

Sent after commit, outside the message's transaction: the chat's hot path holds its lock for
the write only; the two reads here run afterwards."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import display_name
from chat.models import Membership
from chat.selectors import unread_total_of, unread_totals

Notice = tuple[int, dict[str, Any]]  # (user id, event)


def message_notices(*, conversation_id: int, message_id: int, sender: User) -> list[Notice]:
    """``{"kind": "chat.message", conversation, message, text, unread}`` for every other
    member. One query."""
    others = list(
        Membership.objects.filter(conversation_id=conversation_id)
        .exclude(user_id=sender.pk)
        .annotate(unread=Subquery(unread_total_of(OuterRef("user_id"))))
        .values_list("user_id", "user__preferred_language", "unread")
    )
    name = display_name(sender)
    notices: list[Notice] = []
    for user_id, language, unread in others:
        with translation.override(language or None):
            text = _("New message from %(name)s") % {"name": name}
        notices.append(
            (
                user_id,
                {
                    "kind": "chat.message",
                    "conversation": conversation_id,
                    "message": message_id,
                    "text": text,
                    "unread": int(unread or 0),
                },
            )
        )
    return notices


def read_notices(*, user_id: int) -> list[Notice]:
    """``{"kind": "chat.unread", unread}`` for the reader: their other tabs update the badge.
    One query."""
    total = unread_totals(user_ids=[user_id])[user_id]
    return [(user_id, {"kind": "chat.unread", "unread": total})]
