"""Reads of the registry: a person's status (the one rule every caller uses), who may be
matched, the policy, the checks and schools, and the coordinator's lists."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.registry.models import (
    CheckRecord,
    PartnerSchool,
    RegistryPolicy,
    RegistryRecord,
    VettingCheck,
)

# A family's or a student's status. Families: pending, approved, expired, suspended;
# students: pending, confirmed, expired.
PENDING = "pending"
APPROVED = "approved"
CONFIRMED = "confirmed"
EXPIRED = "expired"
SUSPENDED = "suspended"
HOST_STATUSES = (PENDING, APPROVED, EXPIRED, SUSPENDED)
STUDENT_STATUSES = (PENDING, CONFIRMED, EXPIRED)
STATUS_LABELS = {
    PENDING: _("pending"),
    APPROVED: _("approved"),
    CONFIRMED: _("confirmed"),
    EXPIRED: _("expired"),
    SUSPENDED: _("suspended"),
}
# Reminders of a coming renewal go out this many days before ``valid_until``; a renewal made
# inside the first window counts from the end of the current period.
REMINDER_DAYS = (30, 7)
RENEWAL_WINDOW_DAYS = REMINDER_DAYS[0]


def registry_policy() -> RegistryPolicy:
    """The association's policy row, or the defaults when nobody saved one."""
    return RegistryPolicy.objects.filter(pk=1).first() or RegistryPolicy()


def person_status(*, role: str, record: RegistryRecord | None, today: dt.date | None = None) -> str:
    """The status of a family (``role`` host) or a student from their registry record: the one
    rule every page, answer, e-mail and round uses (``matchable_q`` is its query form)."""
    today = today or timezone.localdate()
    if record is None:
        return PENDING
    if role == Role.HOST:
        if record.suspended_at is not None:
            return SUSPENDED
        if record.valid_until is None:
            return PENDING
        return APPROVED if record.valid_until >= today else EXPIRED
    if record.confirmed_at is None or record.valid_until is None:
        return PENDING
    return CONFIRMED if record.valid_until >= today else EXPIRED


def is_matchable(user: User, today: dt.date | None = None) -> bool:
    """Whether a round may place ``user``: an approved family or a confirmed student."""
    record = getattr(user, "registry", None)
    return person_status(role=user.role, record=record, today=today) in (APPROVED, CONFIRMED)


def matchable_q(*, role: str, today: dt.date | None = None, prefix: str = "") -> Q:
    """Users (through ``prefix``, e.g. ``"user__"``) that ``person_status`` calls approved
    (families) or confirmed (students) on ``today``."""
    today = today or timezone.localdate()
    current = Q(**{f"{prefix}registry__valid_until__gte": today})
    if role == Role.HOST:
        return current & Q(**{f"{prefix}registry__suspended_at__isnull": True})
    return current & Q(**{f"{prefix}registry__confirmed_at__isnull": False})


def academic_year_end(day: dt.date, *, start_month: int) -> dt.date:
    """The last day of the academic year ``day`` falls in (years start on the 1st of
    ``start_month``: April in Japan)."""
    year = day.year + 1 if day.month >= start_month else day.year
    return dt.date(year, start_month, 1) - dt.timedelta(days=1)


def months_after(day: dt.date, months: int) -> dt.date:
    """``day`` plus (or minus) whole months, on the month's last day when it is shorter
    (31 January + 1 month is 28 or 29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def check_is_current(check: VettingCheck, done_on: dt.date, today: dt.date) -> bool:
    """A recorded check counts until ``valid_months`` after it was done (for good when empty)."""
    return check.valid_months is None or months_after(done_on, check.valid_months) > today


def vetting_checks(*, active_only: bool = True) -> QuerySet[VettingCheck]:
    checks = VettingCheck.objects.all()
    return checks.filter(active=True) if active_only else checks


def partner_schools() -> QuerySet[PartnerSchool]:
    return PartnerSchool.objects.filter(active=True)


def school_for_email(*, school: PartnerSchool, email: str) -> bool:
    """Whether ``email`` is on one of the school's domains or a subdomain of one."""
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in school.domains)


@dataclass
class CheckState:
    """One of the association's checks as it stands for a family: the latest record, if any."""

    check: VettingCheck
    record: CheckRecord | None
    current: bool


@dataclass
class Person:
    """A student or a family as the registry sees them (the API's and the pages' one read)."""

    user: User
    record: RegistryRecord | None
    status: str
    checks: list[CheckState] = field(default_factory=list)
    history: list[CheckRecord] = field(default_factory=list)

    @property
    def valid_until(self) -> dt.date | None:
        return self.record.valid_until if self.record else None

    @property
    def lapsed_checks(self) -> list[str]:
        """Codes of the required checks missing or no longer current."""
        return [s.check.code for s in self.checks if s.check.required and not s.current]


def check_states(
    *, records: list[CheckRecord], checks: list[VettingCheck], today: dt.date
) -> list[CheckState]:
    """Each active check with its latest record (``records`` newest first)."""
    latest: dict[str, CheckRecord] = {}
    for row in records:
        latest.setdefault(row.vetting_check_id, row)
    states = []
    for check in checks:
        found = latest.get(check.code)
        current = found is not None and check_is_current(check, found.done_on, today)
        states.append(CheckState(check=check, record=found, current=current))
    return states


def person_of(*, user_id: int, today: dt.date | None = None) -> Person | None:
    """The student or family with this id and their checks (three queries), or None for
    anyone else (a coordinator, an unknown id)."""
    today = today or timezone.localdate()
    user = (
        User.objects.filter(pk=user_id, role__in=(Role.STUDENT, Role.HOST))
        .select_related("registry", "registry__school")
        .first()
    )
    if user is None:
        return None
    record = getattr(user, "registry", None)
    person = Person(user=user, record=record, status=person_status(role=user.role, record=record))
    if user.role == Role.HOST:
        history = list(
            CheckRecord.objects.filter(user=user)
            .select_related("vetting_check", "recorded_by")
            .order_by("-done_on", "-id")
        )
        person.history = history
        person.checks = check_states(records=history, checks=list(vetting_checks()), today=today)
    return person


def people(
    *, role: str | None = None, status: str | None = None, query: str = ""
) -> QuerySet[User]:
    """Students and families for the coordinator's list, with their records (one query); a
    ``status`` narrows it by ``person_status``'s rule."""
    today = timezone.localdate()
    users = (
        User.objects.filter(role__in=(Role.STUDENT, Role.HOST), is_active=True)
        .select_related("registry", "registry__school", "host_profile")
        .order_by("role", "name", "id")
    )
    if role in (Role.STUDENT, Role.HOST):
        users = users.filter(role=role)
    if query:
        users = users.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(host_profile__household_name__icontains=query)
        )
    if status:
        users = users.filter(status_q(status=status, today=today))
    return users


def status_q(*, status: str, today: dt.date) -> Q:
    """Users of ``status`` under ``person_status``'s rule, as a query."""
    host, student = Q(role=Role.HOST), Q(role=Role.STUDENT)
    has_period = Q(registry__valid_until__isnull=False)
    if status == SUSPENDED:
        return host & Q(registry__suspended_at__isnull=False)
    if status == APPROVED:
        return host & matchable_q(role=Role.HOST, today=today)
    if status == CONFIRMED:
        return student & matchable_q(role=Role.STUDENT, today=today)
    if status == EXPIRED:
        lapsed = Q(registry__valid_until__lt=today)
        return (host & lapsed & Q(registry__suspended_at__isnull=True)) | (
            student & lapsed & Q(registry__confirmed_at__isnull=False)
        )
    if status == PENDING:
        host_pending = host & Q(registry__suspended_at__isnull=True) & ~has_period
        student_pending = student & ~(has_period & Q(registry__confirmed_at__isnull=False))
        return host_pending | student_pending
    return Q(pk__in=[])


def renewals_due(*, today: dt.date, days: int, after_days: int) -> QuerySet[RegistryRecord]:
    """Records of approved families and confirmed students whose period ends more than
    ``after_days`` and at most ``days`` days after ``today``: who gets the ``days``-day
    reminder (a day the reminders did not run is caught up the next)."""
    window = Q(
        valid_until__gt=today + dt.timedelta(days=after_days),
        valid_until__lte=today + dt.timedelta(days=days),
    )
    host = Q(user__role=Role.HOST, suspended_at__isnull=True)
    student = Q(user__role=Role.STUDENT, confirmed_at__isnull=False)
    return (
        RegistryRecord.objects.filter(window & (host | student), user__is_active=True)
        .select_related("user")
        .order_by("id")
    )
