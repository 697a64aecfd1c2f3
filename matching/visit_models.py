"""The visit day and after: where and when the two sides meet, and what happened.

- ``MeetingPoint``: a programme's default meeting for one visit day (a station, its exit or a
  landmark in Japanese and English, a time).
- ``VisitMeeting``: the time and place a family chose for its own visit instead of the day's
  default (before the cut-off, ``matching.services.meeting``).
- ``Attendance``: what one side (the student, the family, or a coordinator) recorded about a
  visit, from the visit day on. The visit's outcome is the coordinator's record when there is
  one (a coordinator settles a disagreement that way), else the outcome both parties agree on,
  else the one party's record; two parties that disagree leave it unsettled
  (``matching.services.attendance.visit_outcome``, the one rule every reader uses).

Imported at the end of ``matching.models``, so Django registers these with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matching.models import Program, Proposal

PLACE_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 2000


class MeetingPoint(models.Model):
    """Where and when the students of a programme meet their families on one visit day."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="meeting_points")
    date = models.DateField(_("visit day"))
    time = models.TimeField(_("meeting time"))
    station = models.ForeignKey(
        "accounts.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    place_ja = models.CharField(
        _("exit or landmark (Japanese)"), max_length=PLACE_MAX_LENGTH, blank=True
    )
    place_en = models.CharField(
        _("exit or landmark (English)"), max_length=PLACE_MAX_LENGTH, blank=True
    )

    class Meta:
        ordering = ["program", "date"]
        verbose_name = _("meeting point")
        verbose_name_plural = _("meeting points")
        constraints = [
            models.UniqueConstraint(fields=["program", "date"], name="meetingpoint_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.date} {self.time:%H:%M}"


class VisitMeeting(models.Model):
    """A family's own meeting time and place for its visit, replacing the day's default."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="meeting_change"
    )
    time = models.TimeField()
    place = models.CharField(max_length=PLACE_MAX_LENGTH)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)
    # How many times it changed: each change's e-mail to the student is its own delivery.
    changes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"meeting of {self.proposal_id} at {self.time:%H:%M}"


class Attendance(models.Model):
    """One side's record of what happened on a visit (one row per side, the latest word)."""

    class Outcome(models.TextChoices):
        HELD = "held", _("The visit took place")
        STUDENT_ABSENT = "student_absent", _("The student did not come")
        HOST_CANCELLED_ON_DAY = "host_cancelled_on_day", _("The family cancelled on the day")
        CANCELLED_EARLY = "cancelled_early", _("Cancelled earlier by either side")

    class Side(models.TextChoices):
        STUDENT = "student", _("Student")
        HOST = "host", _("Family")
        COORDINATOR = "coordinator", _("Coordinator")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attendance")
    side = models.CharField(max_length=12, choices=Side.choices)
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "side"], name="attendance_once_per_side")
        ]
        indexes = [models.Index(fields=["outcome"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} ({self.side}): {self.outcome}"
