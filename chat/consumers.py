"""WebSocket consumers: a conversation's chat, and a user's live notification stream.

They only speak the protocol (API.md "Chat"); every rule is a service or selector. A refused
socket is accepted and then closed, since a close code needs an accepted socket to reach a
browser; an allowed one is accepted after joining its groups, so it misses no event.

Never losing a message: each socket remembers the highest ``seq`` it has delivered. A live
event that is not the next one waits briefly for the missing ones, then the socket fills the
gap from the database; one already delivered is skipped. ``resume`` replays from the database
after the client's last message id. So a client holds the exact sequence.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.api.fields import is_row_id
from accounts.models import Role
from accounts.reading import reading_payload
from chat import notices, post_statement, selectors, services
from chat.groups import conversation_group, notification_group, user_group
from chat.models import Conversation, Message
from chat.sockets import (
    CLOSE_CONVERSATION_CLOSED,
    CLOSE_FORBIDDEN,
    UserSocket,
    db,
    validation_code,
)

logger = logging.getLogger(__name__)

FRAME_MAX_BYTES = 16 * 1024
RESUME_PAGE = 100
TYPING_EVERY_SECONDS = 1.0
# How long an out-of-order event waits for the ones before it before the database fills in.
GAP_WAIT_SECONDS = 0.5


class ChatConsumer(UserSocket):
    """``/ws/chat/<conversation_id>/``: API.md's frames, for members (and coordinators while a
    report on the conversation is open)."""

    conversation_id: int
    delivered_seq: int
    sent_floor: int
    early: dict[int, dict[str, Any]]  # live events that arrived ahead of a missing seq
    gap_alarm: asyncio.Future[None] | None
    last_typing: float

    async def connect(self) -> None:
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        self.delivered_seq = 0
        self.sent_floor = 0
        self.early = {}
        self.gap_alarm = None
        self.last_typing = 0.0
        if not await self._start():
            return
        try:
            await db(
                selectors.conversation_get_for_user,
                conversation_id=self.conversation_id,
                user=self.user,
            )
        except Conversation.DoesNotExist:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        await self._join(conversation_group(self.conversation_id), user_group(self.user.pk))
        # Read the high-water mark only after joining: anything newer is broadcast to us.
        self.delivered_seq = await db(self._last_seq)
        # Every message after sent_floor has gone out on this socket (live, or by resume).
        self.sent_floor = self.delivered_seq
        await self.accept()

    async def disconnect(self, code: int) -> None:
        # Unset when the socket closes before connect() ran.
        alarm: asyncio.Future[None] | None = getattr(self, "gap_alarm", None)
        if alarm is not None:
            alarm.cancel()
        await super().disconnect(code)

    def _last_seq(self) -> int:
        return int(
            Conversation.objects.filter(pk=self.conversation_id)
            .values_list("last_seq", flat=True)
            .get()
        )

    # --- frames from the client ------------------------------------------------------------------

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        with translation.override(getattr(self, "language", None)):
            if text_data is None:
                await self.send_error("malformed_json", _("Send JSON text frames."))
                return
            # surrogatepass: a lone surrogate is counted here and refused by the service.
            size = len(text_data.encode("utf-8", "surrogatepass"))
            if len(text_data) > FRAME_MAX_BYTES or size > FRAME_MAX_BYTES:
                await self.send_error(
                    "frame_too_large",
                    _("A frame has at most %(n)d bytes.") % {"n": FRAME_MAX_BYTES},
                )
                return
            try:
                content = json.loads(text_data)
            except ValueError:
                await self.send_error("malformed_json", _("The frame is not valid JSON."))
                return
            except RecursionError:
                await self.send_error("malformed_json", _("The frame is nested too deeply."))
                return
            if not isinstance(content, dict):
                await self.send_error("malformed_json", _("A frame is a JSON object."))
                return
            await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        handlers = {
            "message": self._on_message,
            "typing": self._on_typing,
            "read": self._on_read,
            "resume": self._on_resume,
        }
        kind = content.get("type")
        handler = handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            await self.send_error(
                "unknown_type",
                _("Unknown frame type; use message, typing, read or resume."),
            )
            return
        await handler(content)

    async def _on_message(self, content: dict[str, Any]) -> None:
        client_id = content.get("client_id")
        try:
            message, _created = await post_statement.message_post(
                conversation_id=self.conversation_id,
                sender=self.user,
                body=content.get("body"),
                client_id=client_id,
                language=self.language,
            )
        except ValidationError as exc:
            await self.send_error(*validation_code(exc), client_id=client_id)
            return
        except services.ChatRefused as exc:
            await self.send_error(exc.code, exc.detail, client_id=client_id)
            return
        except Conversation.DoesNotExist:
            await self.send_error(
                "forbidden", _("You can no longer write here."), client_id=client_id
            )
            return
        # The sender's acknowledgement does not wait on the layer: deliver through this seq now;
        # the broadcast's copy is then skipped as already delivered. A retried client_id that
        # this socket already delivered (live or by resume) is not sent twice.
        if message.seq > self.delivered_seq:
            await self._deliver_through(message.seq, known=message)
            await self._flush_early()
        elif message.seq <= self.sent_floor:
            await self._send_message(selectors.message_payload(message))

    async def _on_typing(self, content: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY_SECONDS:
            return  # typing is a hint: extra ones are dropped, not refused
        self.last_typing = now
        await self.channel_layer.group_send(
            conversation_group(self.conversation_id),
            {"type": "chat.typing", "user": self.user.pk},
        )

    async def _on_read(self, content: dict[str, Any]) -> None:
        message_id = content.get("message_id")
        if not is_row_id(message_id):
            await self.send_error("bad_message_id", _("message_id is a message's id."))
            return
        try:
            await db(
                services.message_read,
                self.language,
                conversation_id=self.conversation_id,
                user=self.user,
                message_id=message_id,
            )
        except ValidationError as exc:
            await self.send_error(*validation_code(exc))
        except Conversation.DoesNotExist:
            await self.send_error("forbidden", _("You can no longer read here."))

    async def _on_resume(self, content: dict[str, Any]) -> None:
        after = content.get("after") or 0
        if after != 0 and not is_row_id(after):
            await self.send_error("bad_after", _("after is the id of the last message you hold."))
            return
        after_seq = 0
        if after:
            seq = await db(
                selectors.message_seq, conversation_id=self.conversation_id, message_id=after
            )
            if seq is None:
                await self.send_error("unknown_message", _("No such message in this conversation."))
                return
            after_seq = seq
        # (sent_floor, delivered_seq] already went out on this socket: live events can reach a
        # fresh socket before the client's resume does. The replay skips them, not to send twice.
        sent_from, sent_to = self.sent_floor, self.delivered_seq
        self.sent_floor = min(self.sent_floor, after_seq)
        while True:
            page = await db(
                selectors.messages_after_seq,
                conversation_id=self.conversation_id,
                after_seq=after_seq,
                limit=RESUME_PAGE,
            )
            for message in page:
                if not sent_from < message.seq <= sent_to:
                    await self._send_message(selectors.message_payload(message))
            if page:
                after_seq = page[-1].seq
                self.delivered_seq = max(self.delivered_seq, after_seq)
            if len(page) < RESUME_PAGE:
                await self._flush_early()
                return

    # --- delivery in seq order ---------------------------------------------------------------

    async def _send_message(self, payload: dict[str, Any]) -> None:
        # The reader's reading aid over Japanese, made here for this reader (accounts.reading).
        reading = reading_payload(payload.get("body") or "", self.user.reading_aid)
        if reading is not None:
            payload = {**payload, "reading": reading}
        await self.send_json({"type": "message", "message": payload})

    async def _deliver_through(self, seq: int, known: Message | None = None) -> None:
        """Send every message up to ``seq`` not yet delivered here, in order."""
        while self.delivered_seq < seq:
            if known is not None and known.seq == self.delivered_seq + 1:
                await self._send_message(selectors.message_payload(known))
                self.delivered_seq = known.seq
                continue
            page = await db(
                selectors.messages_after_seq,
                conversation_id=self.conversation_id,
                after_seq=self.delivered_seq,
                limit=min(RESUME_PAGE, seq - self.delivered_seq),
            )
            if not page:
                return  # not visible yet to this connection; a later event or resume fills it
            for message in page:
                await self._send_message(selectors.message_payload(message))
                self.delivered_seq = message.seq

    # --- events from the channel layer ---------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        payload = event["message"]
        seq = int(payload["seq"])
        if seq <= self.delivered_seq:
            return
        if seq == self.delivered_seq + 1:
            await self._send_message(payload)
            self.delivered_seq = seq
            await self._flush_early()
            return
        # Out of order: the two members post through different servers, so the one before is
        # usually a moment behind on the layer. Hold this one briefly before asking the
        # database, which under load would queue behind the writes.
        self.early[seq] = payload
        if self.gap_alarm is None:
            self.gap_alarm = asyncio.ensure_future(self._gap_alarm_after(GAP_WAIT_SECONDS))

    async def _flush_early(self) -> None:
        while self.delivered_seq + 1 in self.early:
            payload = self.early.pop(self.delivered_seq + 1)
            await self._send_message(payload)
            self.delivered_seq += 1
        for seq in [s for s in self.early if s <= self.delivered_seq]:
            del self.early[seq]
        if not self.early and self.gap_alarm is not None:
            self.gap_alarm.cancel()
            self.gap_alarm = None

    async def _gap_alarm_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            # Through our own channel, so the fill runs in turn with every other event.
            await self.channel_layer.send(self.channel_name, {"type": "chat.gap"})
        except Exception:
            # The layer refused (full, or away): the next event re-arms, resume still works.
            logger.warning("gap alarm for %s not delivered", self.channel_name, exc_info=True)
            self.gap_alarm = None

    async def chat_gap(self, event: dict[str, Any]) -> None:
        self.gap_alarm = None
        if self.early:
            await self._deliver_through(max(self.early))
            await self._flush_early()

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["user"] != self.user.pk:
            await self.send_json({"type": "typing", "user": event["user"]})

    async def chat_read(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "read", "user": event["user"], "message_id": event["message_id"]}
        )

    async def chat_blocked(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "blocked", "user": event["user"]})

    async def chat_closed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "closed", "reason": event.get("reason", "")})
        await self.close(code=CLOSE_CONVERSATION_CLOSED)

    async def chat_access_revoked(self, event: dict[str, Any]) -> None:
        if self.user.role == Role.COORDINATOR:
            await self.close(code=CLOSE_FORBIDDEN)


class NotificationConsumer(UserSocket):
    """``/ws/notifications/``: the user's live stream, ``{"type": "notification", ...event}``."""

    async def connect(self) -> None:
        if not await self._start():
            return
        await self._join(user_group(self.user.pk), notification_group(self.user.pk))
        await self.accept()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        with translation.override(getattr(self, "language", None)):
            await self.send_error("unknown_type", _("This stream only sends."))

    async def notification_send(self, event: dict[str, Any]) -> None:
        await self.send_json({**event["event"], "type": "notification"})

    async def notification_chat_message(self, event: dict[str, Any]) -> None:
        frame = await db(
            notices.message_frame,
            self.language,
            user=self.user,
            conversation_id=event["conversation"],
            message_id=event["message"],
        )
        await self.send_json({**frame, "type": "notification"})

    async def notification_chat_read(self, event: dict[str, Any]) -> None:
        frame = await db(notices.read_frame, user=self.user)
        await self.send_json({**frame, "type": "notification"})
