"""Missed-message digests: an e-mail to a member whose messages have waited unread.

``digests_send`` records one ``Delivery`` per member and batch of messages, under a row lock on
the membership; the one e-mail task of the platform sends it on commit
(``matching.services.deliveries``), with retries. The e-mail is rendered when it is sent, in
the member's language, from the messages of the batch.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chat.models import Conversation, Membership, Message
from matching.models import Delivery
from matching.services.deliveries import Email, delivery_enqueue

DIGEST_AFTER = dt.timedelta(minutes=15)
DIGEST_MAX_MESSAGES = 20
KIND = Delivery.Kind.CHAT_DIGEST


def digests_send(*, now: dt.datetime | None = None) -> int:
    """E-mail each member whose messages have waited unread for 15 minutes, once per batch of
    messages: ``digested_up_to_seq`` moves past what was sent, under a row lock that makes a
    second concurrent run skip the member. Returns how many e-mails were queued.

    The e-mail goes out on commit, in the member's language."""
    now = now or timezone.now()
    cutoff = now - DIGEST_AFTER
    due_seq = (
        Message.objects.filter(
            conversation=OuterRef("conversation"),
            seq__gt=Greatest(OuterRef("last_read_seq"), OuterRef("digested_up_to_seq")),
            created_at__lte=cutoff,
        )
        .exclude(sender=OuterRef("user"))
        .values("conversation")
        .annotate(top=Max("seq"))
        .values("top")
    )
    candidates = list(
        Membership.objects.filter(
            conversation__status=Conversation.Status.OPEN,
            user__is_active=True,
            conversation__last_seq__gt=Greatest(F("last_read_seq"), F("digested_up_to_seq")),
        )
        .annotate(due=Subquery(due_seq))
        .filter(due__isnull=False)
        .values_list("pk", flat=True)
    )
    return sum(_digest_one(membership_id, cutoff) for membership_id in candidates)


@transaction.atomic
def _digest_one(membership_id: int, cutoff: dt.datetime) -> int:
    membership = (
        Membership.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("conversation")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return 0
    floor = max(membership.last_read_seq, membership.digested_up_to_seq)
    last = (
        _unread(membership.conversation_id, membership.user_id, floor, None)
        .filter(created_at__lte=cutoff)
        .aggregate(top=Max("seq"))["top"]
    )
    if last is None:
        return 0
    membership.digested_up_to_seq = last
    membership.save(update_fields=["digested_up_to_seq"])
    delivery = Delivery.objects.create(
        kind=KIND,
        proposal_id=membership.conversation.proposal_id,
        user_id=membership.user_id,
        key=str(last),
        payload={"conversation": membership.conversation_id, "after_seq": floor, "up_to_seq": last},
    )
    delivery_enqueue(delivery_ids=[delivery.pk])
    return 1


def _unread(conversation_id: int, user_id: int, after: int, up_to: int | None) -> QuerySet[Message]:
    messages = Message.objects.filter(conversation_id=conversation_id, seq__gt=after).exclude(
        sender_id=user_id
    )
    return messages if up_to is None else messages.filter(seq__lte=up_to)


def digest_email(delivery: Delivery) -> Email | None:
    """The digest e-mail of a delivery (rendered under its recipient's language); None when its
    messages are gone (purged or deleted with their sender)."""
    payload = delivery.payload
    unread = list(
        _unread(
            payload["conversation"], delivery.user_id, payload["after_seq"], payload["up_to_seq"]
        )
        .select_related("sender", "conversation__proposal__program")
        .order_by("seq")
    )
    if not unread:
        return None
    context = {
        "user_name": delivery.user.name,
        "program_name": unread[0].conversation.proposal.program.display_name,
        "messages": unread[-DIGEST_MAX_MESSAGES:],
        "count": len(unread),
        "more": max(0, len(unread) - DIGEST_MAX_MESSAGES),
        "url": settings.SITE_URL.rstrip("/")
        + reverse("frontend:chat", args=[payload["conversation"]]),
    }
    return Email(
        subject=render_to_string("chat/email/digest_subject.txt", context),
        text=render_to_string("chat/email/digest.txt", context),
        html=render_to_string("chat/email/digest.html", context),
    )
