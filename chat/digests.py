"""Missed-message digests: an e-mail to each member whose messages have waited unread, sent
on commit in the member's language, never twice about the same messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from chat.models import Conversation, Membership, Message

DIGEST_AFTER = timedelta(minutes=15)
DIGEST_MAX_MESSAGES = 20


def digests_send(*, now: Any = None) -> int:
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
    sent = 0
    for membership_id in candidates:
        sent += _digest_one(membership_id, cutoff)
    return sent


@transaction.atomic
def _digest_one(membership_id: int, cutoff: Any) -> int:
    membership = (
        Membership.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "conversation__proposal__program")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return 0
    floor = max(membership.last_read_seq, membership.digested_up_to_seq)
    unread = list(
        Message.objects.filter(
            conversation_id=membership.conversation_id, seq__gt=floor, created_at__lte=cutoff
        )
        .exclude(sender_id=membership.user_id)
        .select_related("sender")
        .order_by("seq")
    )
    if not unread:
        return 0
    membership.digested_up_to_seq = unread[-1].seq
    membership.save(update_fields=["digested_up_to_seq"])
    user = membership.user
    language = user.preferred_language if user.preferred_language in ("ja", "en") else "ja"
    context = {
        "user": user,
        "program": membership.conversation.proposal.program,
        "messages": unread[-DIGEST_MAX_MESSAGES:],
        "count": len(unread),
        "more": max(0, len(unread) - DIGEST_MAX_MESSAGES),
        "url": settings.SITE_URL.rstrip("/")
        + reverse("frontend:chat", args=[membership.conversation_id]),
    }
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"chat/email/digest_subject_{language}.txt", context).split()
        )
        text = render_to_string(f"chat/email/digest_{language}.txt", context)
        html = render_to_string(f"chat/email/digest_{language}.html", context)
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    mail.attach_alternative(html, "text/html")
    transaction.on_commit(lambda: mail.send(fail_silently=False))
    return 1
