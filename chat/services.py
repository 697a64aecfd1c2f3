"""Every write to chat data, and every live event the app sends to browsers.

Events go out through the channel layer in ``transaction.on_commit``: a rolled-back write never
reaches a socket, and a message is on disk before anyone sees it. A broadcast that the layer
drops loses nothing: sockets fill gaps from the database by ``seq`` and clients ``resume``.

Services raise:
- ``Conversation.DoesNotExist`` / ``Message.DoesNotExist`` / ``Report.DoesNotExist`` when the
  caller may not see the row (the API answers 404, a socket 4403);
- ``ValidationError`` naming the field (with a ``code``) for bad input;
- ``ChatRefused`` (``code`` ``rate_limited``, ``conversation_closed``, ``blocked``,
  ``not_a_member``) when the input is fine but the conversation's state refuses the write.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.ratelimit import window_hits
from chat.groups import conversation_group, notification_group, user_group
from chat.message_input import body_clean, client_id_clean, storable
from chat.models import (
    REASON_MAX_LENGTH,
    Block,
    Conversation,
    Membership,
    Message,
    Report,
)
from chat.selectors import conversation_get_for_user, conversations_accessible, message_payload
from matching.services.incidents import incident_from_chat_report

if TYPE_CHECKING:
    from matching.models import Proposal

logger = logging.getLogger(__name__)


class ChatRefused(Exception):
    """The input is valid but the conversation's state (or the sender's pace) refuses it."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


# --- Sending events ------------------------------------------------------------------------------


async def group_send_all(*sends: tuple[str, dict[str, Any]]) -> None:
    """Every ``(group, event)`` at once (groups are separate queues)."""

    # The write is durable whatever happens here; a layer failure must not turn a stored
    # message into an error (sockets recover it from the database).
    async def send(layer: Any, group: str, event: dict[str, Any]) -> None:
        try:
            await layer.group_send(group, event)
        except Exception:
            logger.exception("channel layer group_send to %s failed", group)

    layer = get_channel_layer()
    await asyncio.gather(*(send(layer, group, event) for group, event in sends))


def _group_send_now(*sends: tuple[str, dict[str, Any]]) -> None:
    """``group_send_all`` from synchronous code, in one hop to the loop."""
    try:
        async_to_sync(group_send_all)(*sends)
    except Exception:
        logger.exception("channel layer unreachable from here")


def _group_send_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _group_send_now((group, event)))


def notification_send(*, user_ids: Iterable[int], event: dict[str, Any]) -> None:
    """Push ``event`` to each user's live notification stream once the transaction commits
    (at once outside a transaction). Browsers receive ``{"type": "notification", **event}``."""
    ids = sorted({int(uid) for uid in user_ids})
    payload = {"type": "notification.send", "event": dict(event)}
    transaction.on_commit(
        lambda: _group_send_now(*((notification_group(uid), payload) for uid in ids))
    )


def user_sockets_close(*, user_id: int) -> None:
    """Close every socket of the user (code 4401) after commit: logout, new password,
    deactivation. The consumers close on the event, well within 2 s."""
    _group_send_on_commit(user_group(user_id), {"type": "user.sockets_close"})


# --- Conversations -------------------------------------------------------------------------------


@transaction.atomic
def conversation_open(*, proposal: Proposal) -> Conversation:
    """The conversation of a confirmed proposal, created once (called inside the confirming
    transaction; calling it again returns the same conversation). Members: the student and the
    host family's user."""
    conversation, _created = Conversation.objects.get_or_create(proposal=proposal)
    user_ids = {proposal.student_application.user_id, proposal.host_application.user_id}
    Membership.objects.bulk_create(
        [Membership(conversation=conversation, user_id=uid) for uid in sorted(user_ids)],
        ignore_conflicts=True,
    )
    return conversation


def _close(conversation: Conversation, *, by: User | None, reason: str) -> None:
    if not conversation.is_open:
        return
    conversation.status = Conversation.Status.CLOSED
    conversation.closed_reason = reason
    conversation.closed_by = by
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_reason", "closed_by", "closed_at"])
    _group_send_on_commit(
        conversation_group(conversation.pk),
        {"type": "chat.closed", "conversation": conversation.pk, "reason": reason},
    )


@transaction.atomic
def conversation_close_for_proposal(*, proposal: Proposal, reason: str = "") -> None:
    """A cancelled match: its conversation turns read-only and its open sockets are closed
    (code 4410) on commit. Locks the conversation row. No conversation: nothing to do."""
    conversation = Conversation.objects.select_for_update().filter(proposal_id=proposal.pk).first()
    if conversation is not None:
        _close(conversation, by=None, reason=reason[:REASON_MAX_LENGTH])


@transaction.atomic
def conversation_close(*, conversation_id: int, by: User, reason: str = "") -> Conversation:
    """A coordinator closes a conversation: read-only afterwards, sockets closed on commit.
    Closing a closed conversation changes nothing."""
    if by.role != Role.COORDINATOR:
        raise Conversation.DoesNotExist
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    _close(conversation, by=by, reason=reason)
    return conversation


@transaction.atomic
def conversation_block(*, conversation_id: int, by: User) -> Block:
    """A member blocks the other: nobody posts in the conversation any more. Idempotent.
    Sends ``chat.blocked`` to the conversation's sockets on commit."""
    conversation = conversation_get_for_user(conversation_id=conversation_id, user=by)
    if not Membership.objects.filter(conversation=conversation, user=by).exists():
        raise ChatRefused("not_a_member", _("Only the pair in a conversation can block it."))
    block, created = Block.objects.get_or_create(blocker=by, conversation=conversation)
    if created:
        _group_send_on_commit(
            conversation_group(conversation.pk),
            {"type": "chat.blocked", "conversation": conversation.pk, "user": by.pk},
        )
    return block


def conversation_purge_for_program(*, program_id: int) -> int:
    """Retention: delete every message of the programme's conversations (reports on them go
    too). Returns how many messages were deleted."""
    with transaction.atomic():
        _total, per_model = Message.objects.filter(
            conversation__proposal__program_id=program_id
        ).delete()
    return per_model.get(Message._meta.label, 0)


def user_purge(*, user: User) -> int:
    """Account deletion: delete every message the user wrote (reports on them go too); their
    sockets close through ``accounts.signals.credentials_changed``, which the deletion's
    deactivation sends. The partner keeps their own messages; the gaps left in
    ``seq`` are harmless (replays and gap fills read "after seq N"). Returns the count."""
    with transaction.atomic():
        _total, per_model = Message.objects.filter(sender=user).delete()
    return per_model.get(Message._meta.label, 0)


# --- Messages ------------------------------------------------------------------------------------


def pace_window(user_id: int) -> tuple[str, int]:
    """The counter of a user's posts in this clock second, and how long it lives (seconds),
    shared by every server process (accounts.ratelimit)."""
    return f"chat:{user_id}:{int(time.time())}", 2


def pace_enforce(hits: int) -> None:
    """At most CHAT_RATE_PER_SECOND posts per user per clock second; ``hits`` counts this one."""
    if hits > settings.CHAT_RATE_PER_SECOND:
        raise ChatRefused(
            "rate_limited",
            _("Too many messages at once (at most %(n)d a second). Wait a moment, then send again.")
            % {"n": settings.CHAT_RATE_PER_SECOND},
        )


def message_post(
    *, conversation_id: int, sender: User, body: str, client_id: str | None = None
) -> tuple[Message, bool]:
    """Store a message and broadcast it on commit to every socket of the conversation, the
    sender's included (``{"type": "chat.message", "message": {...}}``).

    Every attempt counts against the sender's pace, a retry too. Idempotent on ``client_id``:
    the same sender's same id returns the stored message and ``created=False`` (nothing is
    broadcast again). ``seq`` is given out under a row lock of the conversation, so two
    servers never hand out one number twice. Raises as the module says."""
    pace_enforce(window_hits(*pace_window(sender.pk)))
    return message_store(
        conversation_id=conversation_id, sender=sender, body=body, client_id=client_id
    )


def message_store(
    *, conversation_id: int, sender: User, body: Any, client_id: Any
) -> tuple[Message, bool]:
    """``message_post`` once the pace has counted this attempt."""
    try:
        return _message_store(conversation_id, sender, body, client_id)
    except IntegrityError:
        # Only the client_id constraint can collide here (seq is under the lock): the same
        # client_id raced in on another socket; that stored message is the answer.
        client = client_id_clean(client_id)
        existing = Message.objects.filter(
            conversation_id=conversation_id, sender=sender, client_id=client
        ).first()
        if client and existing is not None:
            return existing, False
        raise


class _LockedState(NamedTuple):
    last_seq: int
    status: str
    blocked: bool
    earlier_id: int | None  # the message this client_id stored before, if any
    others: frozenset[int]  # the members to notify: everyone but the sender


def _locked_state(*, sender: User, conversation_id: int, client: str) -> _LockedState:
    """Locks the conversation's row and reads, in one query, all a post needs: "may they?",
    "closed or blocked?", "stored before?" and who else to tell. Access first, so an outsider
    always gets ``Conversation.DoesNotExist`` (404)."""
    # Joins rather than subqueries: this runs for every message, and Django builds joins in
    # about half the time. The rows are one per (block, other member): a handful at most.
    others = FilteredRelation("memberships", condition=~Q(memberships__user=sender))
    locked = (
        conversations_accessible(user=sender)
        .filter(pk=conversation_id)
        .annotate(others=others)
        .select_for_update(of=("self",))
        .order_by()
    )
    fields = ["last_seq", "status", "blocks__id", "others__user_id"]
    if client:
        mine = Q(messages__sender=sender, messages__client_id=client)
        locked = locked.annotate(earlier=FilteredRelation("messages", condition=mine))
        fields.append("earlier__id")
    rows = list(locked.values_list(*fields))
    if not rows:
        raise Conversation.DoesNotExist
    last_seq, status, _block, _other, *earlier = rows[0]
    return _LockedState(
        last_seq=int(last_seq),
        status=str(status),
        blocked=any(row[2] is not None for row in rows),
        earlier_id=earlier[0] if earlier else None,
        others=frozenset(row[3] for row in rows if row[3] is not None),
    )


@transaction.atomic
def _message_store(
    conversation_id: int, sender: User, body: Any, client_id: Any
) -> tuple[Message, bool]:
    # The general post, which decides every refusal: access first (an outsider gets
    # DoesNotExist whatever it sent); a client_id the database cannot take is refused below.
    looked_up = client_id.strip() if isinstance(client_id, str) and storable(client_id) else ""
    state = _locked_state(sender=sender, conversation_id=conversation_id, client=looked_up)
    client, text = client_id_clean(client_id), body_clean(body)
    if state.earlier_id is not None:
        return Message.objects.get(pk=state.earlier_id), False
    if state.status != Conversation.Status.OPEN:
        raise ChatRefused("conversation_closed", _("This conversation is closed."))
    if state.blocked:
        raise ChatRefused("blocked", _("This conversation was blocked."))
    seq = state.last_seq + 1
    message = Message(
        conversation_id=conversation_id, seq=seq, sender=sender, body=text, client_id=client
    )
    message.save(force_insert=True)
    Conversation.objects.filter(pk=conversation_id).update(last_seq=seq)
    # Whoever writes has read everything before it.
    Membership.objects.filter(conversation_id=conversation_id, user=sender).update(
        last_read_seq=seq
    )
    sends = announcement(message, state.others)
    transaction.on_commit(lambda: _group_send_now(*sends), robust=True)
    return message, True


def announcement(message: Message, others: Iterable[int]) -> list[tuple[str, dict[str, Any]]]:
    """A new message's events: the message to the conversation's sockets, and "a message
    came" to each other member's stream (which computes its own frame: ``notices``)."""
    broadcast = {"type": "chat.message", "message": message_payload(message)}
    notice = {
        "type": "notification.chat_message",
        "conversation": message.conversation_id,
        "message": message.pk,
    }
    return [(conversation_group(message.conversation_id), broadcast)] + [
        (notification_group(uid), notice) for uid in sorted(others)
    ]


@transaction.atomic
def message_read(*, conversation_id: int, user: User, message_id: int) -> int:
    """Mark everything up to ``message_id`` read for a member (never moves backwards).
    Sends ``chat.read`` to the conversation on commit when the mark moved. Returns the seq."""
    conversation = conversation_get_for_user(conversation_id=conversation_id, user=user)
    seq = (
        Message.objects.filter(conversation=conversation, pk=message_id)
        .values_list("seq", flat=True)
        .first()
    )
    if seq is None:
        raise ValidationError(
            {
                "message_id": [
                    ValidationError(
                        _("No such message in this conversation."), code="unknown_message"
                    )
                ]
            }
        )
    moved = Membership.objects.filter(
        conversation=conversation, user=user, last_read_seq__lt=seq
    ).update(last_read_seq=seq)
    if moved:
        _group_send_on_commit(
            conversation_group(conversation.pk),
            {
                "type": "chat.read",
                "conversation": conversation.pk,
                "user": user.pk,
                "message_id": message_id,
            },
        )
        _group_send_on_commit(notification_group(user.pk), {"type": "notification.chat_read"})
    return seq


# --- Moderation ----------------------------------------------------------------------------------


@transaction.atomic
def report_create(*, message_id: int, reporter: User, reason: str) -> tuple[Report, bool]:
    """A member reports a message of their conversation. One open report per reporter and
    message (a second report returns the first, ``created=False``). Coordinators are notified
    on their live stream on commit; while the report is open they may join the conversation.
    The report also opens an incident about the conversation's visit
    (``matching.services.incidents.incident_from_chat_report``)."""
    message = Message.objects.select_related("conversation").get(pk=message_id)
    if not Membership.objects.filter(
        conversation_id=message.conversation_id, user=reporter
    ).exists():
        raise Message.DoesNotExist
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong with this message.")]})
    if message.sender_id == reporter.pk:
        raise ValidationError({"message": [_("You cannot report your own message.")]})
    existing = Report.objects.filter(
        message=message, reporter=reporter, status=Report.Status.OPEN
    ).first()
    if existing is not None:
        return existing, False
    report = Report.objects.create(
        message=message, conversation_id=message.conversation_id, reporter=reporter, reason=reason
    )
    incident_from_chat_report(
        reporter=reporter, proposal_id=message.conversation.proposal_id, reason=reason
    )
    from accounts.models import User as UserModel

    coordinator_ids = list(
        UserModel.objects.filter(role=Role.COORDINATOR, is_active=True).values_list("pk", flat=True)
    )
    notification_send(
        user_ids=coordinator_ids,
        event={
            "kind": "chat.report",
            "report": report.pk,
            "conversation": message.conversation_id,
        },
    )
    return report, True


@transaction.atomic
def report_resolve(*, report_id: int, by: User, resolution: str = "") -> Report:
    """A coordinator resolves a report (resolving a resolved one changes nothing). When the
    conversation has no open report left, coordinators' sockets on it are closed on commit
    (``chat.access_revoked``)."""
    if by.role != Role.COORDINATOR:
        raise Report.DoesNotExist
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status == Report.Status.RESOLVED:
        return report
    report.status = Report.Status.RESOLVED
    report.resolved_by = by
    report.resolved_at = timezone.now()
    report.resolution = resolution
    report.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
    still_open = Report.objects.filter(
        conversation_id=report.conversation_id, status=Report.Status.OPEN
    ).exists()
    if not still_open:
        _group_send_on_commit(
            conversation_group(report.conversation_id),
            {"type": "chat.access_revoked", "conversation": report.conversation_id},
        )
    return report
