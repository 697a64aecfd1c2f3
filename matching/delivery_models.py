"""The e-mail log (``Delivery``): one row per e-mail to one person, sent at most once
(``matching.services.deliveries``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matching.models import Program, Proposal


class Delivery(models.Model):
    """One e-mail to one user: about a proposal event, a chat digest or an announcement. The
    task that sends it locks this row and marks it sent, so a retried task, a second beat run
    or a repeated service call sends the e-mail at most once."""

    class Kind(models.TextChoices):
        PROPOSAL_RECEIVED = "proposal_received", _("Proposal received")
        REMINDER = "reminder", _("Reminder")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        CHAT_DIGEST = "chat_digest", _("Unread chat messages")
        VISIT_REMINDER = "visit_reminder", _("Visit tomorrow")
        MEETING_CHANGED = "meeting_changed", _("Meeting time or place changed")
        ANNOUNCEMENT = "announcement", _("Announcement")
        RENEWAL = "renewal", _("Renewal reminder")
        INCIDENT_OPENED = "incident_opened", _("Incident opened")
        GROUP_INVITED = "group_invited", _("Invited to visit together")
        GROUP_CONFIRMED = "group_confirmed", _("Visiting together confirmed")
        GROUP_ENDED = "group_ended", _("No longer visiting together")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A proposal's e-mails and a chat digest name the proposal; an announcement or a request
    # to visit together its programme.
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Empty for once-only events; a coordinator's extra reminders each get their own key.
    key = models.CharField(max_length=40, blank=True, default="")
    # What the e-mail needs beyond the rows it names (an announcement's texts, a digest's
    # messages), as primitives; the e-mail itself is rendered when it is sent.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "proposal", "user", "key"], name="delivery_once"
            )
        ]

    def __str__(self) -> str:
        about = (
            f"proposal {self.proposal_id}" if self.proposal_id else f"programme {self.program_id}"
        )
        return f"{self.kind} of {about} to user {self.user_id}"
