"""Incidents: a problem about a visit, reported by one of its two people or a coordinator, and
the coordinators' case file on it (``matching.services.incidents``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DESCRIPTION_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 4000


class Incident(models.Model):
    class Category(models.TextChoices):
        SAFETY = "safety", _("Safety")
        HEALTH = "health", _("Health")
        CONDUCT = "conduct", _("Conduct")
        NO_SHOW = "no_show", _("No-show")
        OTHER = "other", pgettext_lazy("incident category", "Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("incident status", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("incident status", "In progress")
        CLOSED = "closed", pgettext_lazy("incident status", "Closed")

    class Outcome(models.TextChoices):
        NONE = "none", pgettext_lazy("incident outcome", "None")
        WARNING = "warning", _("Warning")
        NEVER_AGAIN = "never_again", _("Never pair these two again")
        SUSPEND = "suspend", _("Suspend")

    class Source(models.TextChoices):
        FORM = "form", _("Report form")
        CHAT = "chat", _("Chat report")

    # The visit (a published proposal) the report is about.
    proposal = models.ForeignKey(
        "matching.Proposal", on_delete=models.CASCADE, related_name="incidents"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The person the report is about (the other party; a coordinator names the side). The
    # outcome "suspend" acts on this person.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_MAX_LENGTH)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.FORM)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"incident {self.pk} ({self.status})"


class IncidentNote(models.Model):
    """A coordinator's note on a case; never shown to the reporter."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on incident {self.incident_id}"
