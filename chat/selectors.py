"""Reads of chat data shared by the API, the consumers, the pages and the tasks.

Access rule, in one place (``conversation_get_for_user``): the two members of a conversation,
and a coordinator while a report on it is open. Anyone else is told the row does not exist.
List reads take a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Block, Conversation, Membership, Message, Report
from config.rawsql import stored_datetime

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
    return Conversation.objects.filter(
        Exists(Membership.objects.filter(conversation=OuterRef("pk"), user=user))
    )


def conversation_get_for_user(*, conversation_id: int, user: User) -> Conversation:
    """The conversation if ``user`` may read it; ``Conversation.DoesNotExist`` otherwise."""
    return conversations_accessible(user=user).get(pk=conversation_id)


def conversation_member_ids(*, conversation_id: int) -> list[int]:
    return list(
        Membership.objects.filter(conversation_id=conversation_id)
        .order_by("user_id")
        .values_list("user_id", flat=True)
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
    message. Members see theirs; a coordinator sees those with an open report. Four queries,
    whatever the number of conversations."""
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            seq__gt=OuterRef("my_last_read"),
        )
        .exclude(sender=user)
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    base = Conversation.objects.select_related("proposal").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("user").order_by("user_id"),
        )
    )
    if user.role == Role.COORDINATOR:
        queryset = base.filter(_open_report_exists()).annotate(
            unread=Value(0, output_field=IntegerField())
        )
    else:
        my_last_read = Membership.objects.filter(conversation=OuterRef("pk"), user=user).values(
            "last_read_seq"
        )[:1]
        queryset = (
            base.filter(memberships__user=user)
            .annotate(my_last_read=Subquery(my_last_read))
            .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
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


@functools.cache
def _conversation_rows_sql(*, coordinator: bool) -> str:
    # Written out rather than built by the ORM: every chat client polls this list, and the
    # ORM's compiling of the annotated query and its prefetches cost more than running them
    # (bench/api_load.py). Plain SQL that SQLite and PostgreSQL both run; table names from
    # the models, every value a parameter.
    conversation, message, membership, report = (
        model._meta.db_table for model in (Conversation, Message, Membership, Report)
    )
    if coordinator:
        # The conversations with an open report; a coordinator has nothing unread.
        source = f"{conversation} c"
        unread = "0"
        where = (
            f"EXISTS (SELECT 1 FROM {report} r WHERE r.conversation_id = c.id"  # noqa: S608
            " AND r.status = %s)"
        )
    else:
        source = f"{membership} my JOIN {conversation} c ON c.id = my.conversation_id"
        # Messages after the caller's read mark, from the other side.
        unread = (
            f"(SELECT COUNT(*) FROM {message} n WHERE n.conversation_id = c.id"  # noqa: S608
            " AND n.seq > my.last_read_seq AND n.sender_id <> %s)"
        )
        where = "my.user_id = %s"
    return f"""
        SELECT c.id, c.proposal_id, c.status, c.closed_reason, {unread},
            m.id, m.seq, m.sender_id, m.body, m.created_at, m.client_id
        FROM {source}
        LEFT JOIN {message} m ON m.conversation_id = c.id AND m.seq = c.last_seq
        WHERE {where}
        ORDER BY c.last_seq DESC, c.created_at DESC, c.id DESC"""  # noqa: S608


def _members_sql(conversations: int) -> str:
    marks = ", ".join(["%s"] * conversations)
    return f"""
        SELECT ms.conversation_id, u.id, u.name, u.role
        FROM {Membership._meta.db_table} ms JOIN {User._meta.db_table} u ON u.id = ms.user_id
        WHERE ms.conversation_id IN ({marks}) ORDER BY ms.user_id"""  # noqa: S608


def conversation_rows_for_user(*, user: User) -> list[dict[str, Any]]:
    """``conversations_for_user`` as the API lists it (``ConversationOutput``'s shape), read
    without model instances: two queries whatever the number of conversations (the
    conversations with unread counts and last messages, then their members)."""
    coordinator = user.role == Role.COORDINATOR
    params = [Report.Status.OPEN.value] if coordinator else [user.pk, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(_conversation_rows_sql(coordinator=coordinator), params)
        rows = cursor.fetchall()
        members: dict[int, list[dict[str, Any]]] = {row[0]: [] for row in rows}
        if members:
            cursor.execute(_members_sql(len(members)), list(members))
            for conversation_id, user_id, name, role in cursor.fetchall():
                members[conversation_id].append({"id": user_id, "name": name, "role": role})
    found = []
    for pk, proposal, status, closed_reason, unread, *last in rows:
        message_id, seq, sender, body, created_at, client_id = last
        found.append(
            {
                "id": pk,
                "proposal": proposal,
                "status": status,
                "closed_reason": closed_reason,
                "participants": members[pk],
                "unread_count": int(unread),
                "last_message": None
                if message_id is None
                else message_payload(
                    Message(
                        id=message_id,
                        seq=seq,
                        conversation_id=pk,
                        sender_id=sender,
                        body=body,
                        created_at=stored_datetime(created_at),
                        client_id=client_id,
                    )
                ),
            }
        )
    return found


@dataclass(frozen=True)
class ReportRow:
    report: Report
    context: list[Message]


def reports_for_coordinator(*, status: str | None = Report.Status.OPEN) -> list[ReportRow]:
    """Reports (open ones by default, oldest first, at most ``REPORTS_PAGE``) with the
    ``REPORT_CONTEXT`` messages either side of each reported one. Two queries."""
    queryset = Report.objects.select_related("message", "reporter", "resolved_by")
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
    for message in Message.objects.filter(around).order_by("conversation_id", "seq"):
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
