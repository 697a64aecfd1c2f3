"""Programmes, applications, rounds, proposals (a confirmed proposal is a match), feedback.

The invariants that the database itself backs:
- one live proposal per student application (``proposal_one_live_per_student``), so a student
  never holds two live proposals or matches in a programme, let alone on one day;
- a family's live proposals on a day never exceed the seats it offered
  (``HostDay.seats_taken <= seats``, moved only under ``select_for_update``);
- one application per person per programme.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.languages import JAPANESE, fallback_language

# Limits declared once: the fields, their check constraints, the serializers and the forms
# read these.
RESPONSE_HOURS_MAX = 24 * 30
SEATS_MAX = 3
RATING_MIN, RATING_MAX = 1, 5
# A decline, cancellation or on-behalf answer's reason (``ProposalEvent.reason``).
REASON_MAX_LENGTH = 2000
# Re-offers of freed seats: the longest lead time and answer window a programme may set.
REOFFER_LEAD_DAYS_MAX = 60


class Program(models.Model):
    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        LANGUAGE_EXCHANGE = "language_exchange", _("Language exchange")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class LanguageLevel(models.TextChoices):
        """The level at which every pair of a home visit must share a language."""

        NONE = "none", _("No shared language required")
        BEGINNER = "beginner", _("Beginner or better")
        INTERMEDIATE = "intermediate", _("Conversational (intermediate) or better")
        ADVANCED = "advanced", _("Advanced or better")
        NATIVE = "native", _("Native")

    # The most visit days one programme lists (a bound on one request's work).
    MAX_DATES = 60

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True, max_length=10_000)
    # ``name`` and ``description`` are the Japanese; the other languages' are here, as
    # {"vi": {"name": ..., "description": ...}}: read through ``text_in``.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    dates = models.JSONField(_("dates"), help_text=_("Visit days, ISO dates, sorted."))
    apply_until = models.DateTimeField(_("applications close"))
    response_hours = models.PositiveIntegerField(
        _("hours to answer a proposal"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(RESPONSE_HOURS_MAX)],
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # The matcher's language rule for home visits (``solver.LanguageRule``).
    language_level = models.CharField(
        _("shared language"),
        max_length=12,
        choices=LanguageLevel.choices,
        default=LanguageLevel.INTERMEDIATE,
        help_text=_("Every student and family matched must share a language at this level."),
    )
    allow_easy_japanese = models.BooleanField(
        _("easy Japanese is enough"),
        default=True,
        help_text=_(
            "A student with beginner Japanese may also visit a family that offers to speak "
            "slowly, in easy Japanese."
        ),
    )
    # A seat freed by a decline, an expiry or a cancellation is offered again to the best free
    # student, while the visit day is more than ``reoffer_lead_days`` away
    # (``matching.services.reoffers``).
    reoffer = models.BooleanField(_("offer freed seats again"), default=True)
    reoffer_lead_days = models.PositiveSmallIntegerField(
        _("days before the visit day after which a freed seat is not offered again"),
        default=3,
        validators=[MaxValueValidator(REOFFER_LEAD_DAYS_MAX)],
    )
    reoffer_hours = models.PositiveIntegerField(
        _("hours to answer a re-offer"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(RESPONSE_HOURS_MAX)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    # Fair ties (matching.solver.priority): a hard tier for students left unplaced twice.
    unplaced_twice_first = models.BooleanField(
        _("anyone unplaced twice is placed first"), default=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(response_hours__gte=1) & Q(response_hours__lte=RESPONSE_HOURS_MAX),
                name="program_response_hours_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def text_in(self, part: str, language: str | None = None) -> str:
        """The programme's ``name`` or ``description`` for a reader of ``language`` (the
        active one by default): theirs, else their fallback language's (accounts.languages:
        Japanese for easy Japanese, English for the others), else the Japanese."""
        language = language or get_language() or JAPANESE
        for code in (language, fallback_language(language)):
            text = (self.translations.get(code) or {}).get(part, "")
            if text:
                return str(text)
        return str(getattr(self, part))

    @property
    def display_name(self) -> str:
        return self.text_in("name")

    @property
    def display_description(self) -> str:
        return self.text_in("description")

    @property
    def days(self) -> list[dt.date]:
        """``dates`` as date objects (stored as ISO strings: a JSON list)."""
        return [dt.date.fromisoformat(day) for day in self.dates]


class Application(models.Model):
    """A student's or a family's (or, in language exchange, anyone's) entry in a programme."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        EITHER = "either", _("Either")

    # Bounds on one request's work: no real applicant names more.
    MAX_LANGUAGES = 10
    MAX_TIME_SLOTS = 21

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    role = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    dates = models.JSONField(default=list, blank=True)
    # A student's home-visit days, most wanted first (some or all of ``dates``): the first
    # choice scores more (``solver.StudentIn.date_ranks``).
    date_ranking = models.JSONField(default=list, blank=True)
    # Language exchange only.
    teaches = models.JSONField(default=list, blank=True)
    learns = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, blank=True)
    time_slots = models.JSONField(default=list, blank=True)
    gender_preference = models.CharField(max_length=8, default="any")
    # A student of a home visit who would rather not visit alone: placed only where a second
    # student visits the same family the same day (``solver.StudentIn.not_alone``).
    not_alone = models.BooleanField(_("not alone"), default=False)
    # Rounds of this programme that left the applicant unplaced: the fairness boost.
    times_unplaced = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="application_once_per_user")
        ]
        indexes = [models.Index(fields=["program", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"


class HostDay(models.Model):
    """The seats a family offers on one day, and how many live proposals hold them."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    seats = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(SEATS_MAX)]
    )
    seats_taken = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["application", "date"], name="hostday_once"),
            models.CheckConstraint(
                condition=Q(seats__gte=1) & Q(seats__lte=SEATS_MAX), name="hostday_seats_1_3"
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("seats")), name="hostday_never_overfull"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.date}: {self.seats_taken}/{self.seats}"


class Round(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DRAFT = "draft", _("Draft")
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")

    class Mode(models.TextChoices):
        OPTIMAL = "optimal", _("Optimal (most placed, then best total)")
        STABLE = "stable", _("Stable (no pair would rather swap)")

    # The most pins (or forbids) one round takes: a bound on one request's work.
    MAX_PAIRS = 500

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.OPTIMAL)
    weights = models.JSONField(default=dict, blank=True)
    pins = models.JSONField(default=list, blank=True)
    forbids = models.JSONField(default=list, blank=True)
    # The seed of the lottery among equals, drawn when the round starts: a re-run replays it.
    lottery_seed = models.BigIntegerField(default=0)
    # The groups the run placed together or not at all: [student application id, partner's].
    groups = models.JSONField(default=list, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="round_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.program} round {self.number}"


class Proposal(models.Model):
    """A proposed pair. Drafts belong to an unpublished round; a confirmed one is a match."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Waiting for answers")
        ACCEPTED_BY_STUDENT = "accepted_by_student", _("Accepted by the student")
        ACCEPTED_BY_HOST = "accepted_by_host", _("Accepted by the family")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    LIVE = (
        Status.PROPOSED,
        Status.ACCEPTED_BY_STUDENT,
        Status.ACCEPTED_BY_HOST,
        Status.CONFIRMED,
    )
    OPEN = (Status.PROPOSED, Status.ACCEPTED_BY_STUDENT, Status.ACCEPTED_BY_HOST)

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="proposals")
    student_application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposals_as_student"
    )
    host_application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="proposals_as_host"
    )
    date = models.DateField()
    score = models.FloatField()
    breakdown = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    deadline = models.DateTimeField(null=True, blank=True)
    # Each side's own answer, kept after the proposal ends (a declined pair is never re-proposed,
    # and "who has not answered" is a column, not a walk through the audit trail).
    student_answer = models.CharField(max_length=8, choices=Answer.choices, blank=True)
    student_answered_at = models.DateTimeField(null=True, blank=True)
    host_answer = models.CharField(max_length=8, choices=Answer.choices, blank=True)
    host_answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student_application"],
                condition=Q(
                    status__in=[
                        "proposed",
                        "accepted_by_student",
                        "accepted_by_host",
                        "confirmed",
                    ]
                ),
                name="proposal_one_live_per_student",
            ),
            models.UniqueConstraint(
                fields=["round", "student_application"], name="proposal_once_per_round"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["program", "status"]),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk} ({self.status})"


class ProposalEvent(models.Model):
    """The audit trail: every change of a proposal's status, by whom, and for whom."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class Unplaced(models.Model):
    """An applicant a round could not place, and the reasons the solver found."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="unplaced")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "application"], name="unplaced_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} unplaced in round {self.round_id}"


class Feedback(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    comment = models.TextField(blank=True, max_length=4000)
    would_meet_again = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "author"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN) & Q(rating__lte=RATING_MAX),
                name="feedback_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback on {self.proposal_id} by {self.author_id}"


# The e-mail log and the visit-day parts' models, each in its own module (imported here so
# Django finds them; ``X as X`` re-exports, so ``from matching.models import Reoffer`` works).
from matching import visit_models  # noqa: E402
from matching.delivery_models import Delivery as Delivery  # noqa: E402
from matching.group_models import GroupRequest as GroupRequest  # noqa: E402
from matching.incident_models import Incident as Incident  # noqa: E402
from matching.incident_models import IncidentNote as IncidentNote  # noqa: E402
from matching.reoffer_models import Reoffer as Reoffer  # noqa: E402

Attendance = visit_models.Attendance
MeetingPoint = visit_models.MeetingPoint
VisitMeeting = visit_models.VisitMeeting
