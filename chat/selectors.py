"""Reads of chat data shared by the API, the consumers, the pages and the tasks.

Access rule, in one place (``conversation_get_for_user``): the two members of a conversation,
and a coordinator while a report on it is open. Anyone else is told the row does not exist.
List reads take a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Block, Conversation, Membership, Message, Report

PAGE_MAX = 100
REPORT_CONTEXT = 5
REPORTS_PAGE = 50


def _open_report_exists() -> Exists:
    return Exists(Report.objects.filter(conversation=OuterRef("pk"), status=Report.Status.OPEN))


def conversations_accessible(*, user: User) -> QuerySet[Conversation]:
    """The conversations ``user`` may read and write in."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Conversation.objects.none()
    if user.role == Role.COORDINATOR:
        return Conversation.objects.filter(_open_report_exists())
    # A join, not a subquery: one membership per (conversation, user), so no row repeats, and
    # the chat's hot path builds this query on every message.
    return Conversation.objects.filter(memberships__user=user)


def conversation_get_for_user(*, conversation_id: int, user: User) -> Conversation:
    """The conversation if ``user`` may read it; ``Conversation.DoesNotExist`` otherwise."""
    return conversations_accessible(user=user).get(pk=conversation_id)


def conversation_memberships(*, conversation_id: int) -> list[Membership]:
    """The two members of a conversation with their read marks, each user with their family
    profile (for the name the pages show): one query."""
    return list(
        Membership.objects.filter(conversation_id=conversation_id)
        .select_related("user", "user__host_profile")
        .order_by("user_id")
    )


def conversation_message(*, conversation_id: int, message_id: int) -> Message | None:
    """A message of this conversation with its sender, or None (missing or another's)."""
    return (
        Message.objects.filter(conversation_id=conversation_id, pk=message_id)
        .select_related("sender", "sender__host_profile")
        .first()
    )


def conversation_blocker_ids(*, conversation_id: int) -> set[int]:
    """Who blocked the conversation (empty while nobody has): one query."""
    return set(
        Block.objects.filter(conversation_id=conversation_id).values_list("blocker_id", flat=True)
    )


def message_payload(message: Message) -> dict[str, Any]:
    """A message as the socket frames and the API show it."""
    return {
        "id": message.pk,
        "seq": message.seq,
        "conversation": message.conversation_id,
        "sender": message.sender_id,
        "body": message.body,
        "created_at": timezone.localtime(message.created_at).isoformat(),
        "client_id": message.client_id or None,
    }


def message_seq(*, conversation_id: int, message_id: int) -> int | None:
    """The seq of a message of this conversation (``None`` when it is not one of its own)."""
    return (
        Message.objects.filter(conversation_id=conversation_id, pk=message_id)
        .values_list("seq", flat=True)
        .first()
    )


def messages_after_seq(*, conversation_id: int, after_seq: int, limit: int) -> list[Message]:
    """Up to ``limit`` messages after ``after_seq``, oldest first: one query."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq).order_by("seq")[
            :limit
        ]
    )


def messages_page(
    *,
    conversation: Conversation,
    after: int | None = None,
    before: int | None = None,
    limit: int = PAGE_MAX,
) -> list[Message]:
    """A page of history, oldest first, at most ``PAGE_MAX``: after a message id (the next
    ones), before one (the ones just before it), or else the newest. An id that is not a
    message of this conversation gives an empty page; ``after=0`` starts from the first
    message. Two queries at most."""
    limit = max(1, min(limit, PAGE_MAX))
    queryset = Message.objects.filter(conversation=conversation)
    if after == 0:  # from the very start
        return list(queryset.order_by("seq")[:limit])
    anchor_id = after if after is not None else before
    if anchor_id is not None:
        anchor = message_seq(conversation_id=conversation.pk, message_id=anchor_id)
        if anchor is None:
            return []
        if after is not None:
            return list(queryset.filter(seq__gt=anchor).order_by("seq")[:limit])
        queryset = queryset.filter(seq__lt=anchor)
    newest_first = list(queryset.order_by("-seq")[:limit])
    newest_first.reverse()
    return newest_first


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    participants: list[User]
    unread_count: int
    last_message: Message | None


def conversations_for_user(*, user: User) -> list[ConversationRow]:
    """The caller's conversations, newest activity first, with unread counts and the last
    message, for the API and the pages. Members see theirs; a coordinator sees those with an
    open report. Three queries, whatever the number of conversations (the participants come
    with their family profiles, for the names the pages show)."""
    # Only the columns the API and the page show: the conversation's state, the visit's date
    # and each member's name (a family's household name).
    base = (
        Conversation.objects.select_related("proposal")
        .only("status", "closed_reason", "proposal__date")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user__host_profile")
                .only(
                    "conversation", "user__name", "user__role", "user__host_profile__household_name"
                )
                .order_by("user_id"),
            )
        )
    )
    if user.role == Role.COORDINATOR:
        queryset = base.filter(_open_report_exists()).annotate(
            unread=Value(0, output_field=IntegerField())
        )
    else:
        # The caller's membership is the filter's join; its read mark bounds the count.
        queryset = base.filter(memberships__user=user).annotate(
            unread=unread_after_read_mark("last_seq", "memberships__last_read_seq")
        )
    conversations = list(queryset.order_by("-last_seq", "-created_at", "-id"))
    last_messages = {
        m.conversation_id: m
        for m in Message.objects.filter(
            conversation__in=[c.pk for c in conversations], seq=F("conversation__last_seq")
        )
    }
    return [
        ConversationRow(
            conversation=c,
            participants=[m.user for m in c.memberships.all()],
            unread_count=int(c.unread),
            last_message=last_messages.get(c.pk),
        )
        for c in conversations
    ]


@dataclass(frozen=True)
class ReportRow:
    report: Report
    context: list[Message]


def reports_for_coordinator(*, status: str | None = Report.Status.OPEN) -> list[ReportRow]:
    """Reports (open ones by default, oldest first, at most ``REPORTS_PAGE``) with their
    conversations and the ``REPORT_CONTEXT`` messages either side of each reported one, with
    their senders. Two queries."""
    queryset = Report.objects.select_related("message", "reporter", "resolved_by", "conversation")
    if status:
        queryset = queryset.filter(status=status)
    reports = list(queryset.order_by("created_at", "id")[:REPORTS_PAGE])
    if not reports:
        return []
    around = Q()
    for report in reports:
        seq = report.message.seq
        around |= Q(
            conversation_id=report.conversation_id,
            seq__gte=seq - REPORT_CONTEXT,
            seq__lte=seq + REPORT_CONTEXT,
        )
    by_conversation: dict[int, list[Message]] = {}
    for message in (
        Message.objects.filter(around).select_related("sender").order_by("conversation_id", "seq")
    ):
        by_conversation.setdefault(message.conversation_id, []).append(message)
    rows = []
    for report in reports:
        seq = report.message.seq
        context = [
            m
            for m in by_conversation.get(report.conversation_id, [])
            if seq - REPORT_CONTEXT <= m.seq <= seq + REPORT_CONTEXT
        ]
        rows.append(ReportRow(report=report, context=context))
    return rows


def unread_after_read_mark(last_seq: str, last_read_seq: str) -> CombinedExpression:
    """How many messages from others a member has not read: all of those after their read mark,
    since posting moves the sender's own mark to their message (``message_post``). Takes the
    paths of the conversation's ``last_seq`` and the membership's ``last_read_seq``."""
    return F(last_seq) - F(last_read_seq)


def unread_totals(*, user_ids: Iterable[int]) -> dict[int, int]:
    """By user id, how many messages from others wait unread across all their conversations
    (as ``conversations_for_user`` counts them per conversation). One query."""
    ids = sorted({int(uid) for uid in user_ids})
    totals = dict.fromkeys(ids, 0)
    for user_id, count in (
        Membership.objects.filter(user_id__in=ids)
        .values("user_id")
        .annotate(n=Sum(unread_after_read_mark("conversation__last_seq", "last_read_seq")))
        .values_list("user_id", "n")
    ):
        totals[user_id] = int(count or 0)
    return totals
