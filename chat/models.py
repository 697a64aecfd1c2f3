"""Conversations between confirmed pairs, their messages, read state, reports and blocks.

What the database itself backs:
- one conversation per proposal (``proposal`` is one-to-one);
- a per-conversation message sequence without gaps or repeats (``message_seq_unique``), given
  out under a row lock of the conversation (``Conversation.last_seq``);
- a client's retried send is stored once (``message_client_id_once``, for non-empty ids);
- one membership per user and conversation, one open report per reporter and message, one
  block per member and conversation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CLIENT_ID_MAX = 64
# A closing reason, a report's reason and its resolution.
REASON_MAX_LENGTH = 2000


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    proposal = models.OneToOneField(
        "matching.Proposal", on_delete=models.CASCADE, related_name="conversation"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.TextField(
        _("why it was closed"), blank=True, max_length=REASON_MAX_LENGTH
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The seq of the newest message; moved only under select_for_update of this row.
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Membership(models.Model):
    """A member of a conversation and how far they have read and been e-mailed about."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    last_read_seq = models.PositiveIntegerField(default=0)
    # Messages up to this seq were already in a missed-message digest: never e-mailed twice.
    digested_up_to_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="membership_once")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in conversation {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    body = models.TextField()
    client_id = models.CharField(max_length=CLIENT_ID_MAX, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_once",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} (#{self.seq} in {self.conversation_id})"


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    # Denormalised from the message: "is a report open on this conversation" is asked on every
    # coordinator connect.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=Q(status="open"),
                name="report_open_once_per_reporter",
            )
        ]
        indexes = [models.Index(fields=["conversation", "status"])]

    def __str__(self) -> str:
        return f"report {self.pk} on message {self.message_id} ({self.status})"


class Block(models.Model):
    """A member stopped the conversation: nobody can post in it any more."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="blocks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "conversation"], name="block_once")
        ]

    def __str__(self) -> str:
        return f"user {self.blocker_id} blocked conversation {self.conversation_id}"
