"""Visiting together (``matching.services.groups``): a student asks another student of the
same home-visit programme, a friend or a sibling, to visit together; once the other confirms,
the two are a group that a round places on one family and day, or not at all."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GroupRequest(models.Model):
    """One invitation to visit together, from ``inviter`` to ``invitee`` (both student
    applications of ``program``). Only a confirmed one is a group; each application is in at
    most one live (pending or confirmed) request, as inviter or invitee (the service checks
    both columns under the applications' locks; the constraints back each column)."""

    class Relation(models.TextChoices):
        FRIEND = "friend", _("Friend")
        SIBLING = "sibling", _("Sibling")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        CONFIRMED = "confirmed", _("Visiting together")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Invitation withdrawn")
        DISSOLVED = "dissolved", _("No longer together")

    LIVE = (Status.PENDING, Status.CONFIRMED)

    program = models.ForeignKey(
        "matching.Program", on_delete=models.CASCADE, related_name="group_requests"
    )
    inviter = models.ForeignKey(
        "matching.Application", on_delete=models.CASCADE, related_name="group_requests_sent"
    )
    invitee = models.ForeignKey(
        "matching.Application", on_delete=models.CASCADE, related_name="group_requests_received"
    )
    relation = models.CharField(max_length=8, choices=Relation.choices, default=Relation.FRIEND)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("request to visit together")
        verbose_name_plural = _("requests to visit together")
        constraints = [
            models.CheckConstraint(
                condition=~Q(inviter=models.F("invitee")), name="group_request_two_people"
            ),
            models.UniqueConstraint(
                fields=["inviter"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="group_request_one_live_sent",
            ),
            models.UniqueConstraint(
                fields=["invitee"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="group_request_one_live_received",
            ),
        ]

    def __str__(self) -> str:
        return f"group request {self.pk}: {self.inviter_id} → {self.invitee_id} ({self.status})"
