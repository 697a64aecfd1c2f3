"""Every write to the registry: one function per use case, each in a transaction that locks
the person's record first (so two coordinators, or a coordinator and the person, never
interleave their changes to one standing).

Services raise ``ValidationError`` naming the bad field (400), ``RegistryConflict`` when the
person's role or standing forbids the act (409), ``PermissionDenied`` for a caller who may not.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.registry import selectors
from accounts.registry.models import (
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    CheckRecord,
    PartnerSchool,
    RegistryRecord,
)
from accounts.signals import person_suspended


class RegistryConflict(Exception):
    """The person's role or standing does not allow this (409). ``str()`` is a translated
    sentence; ``checks`` names the lapsed checks of a refused renewal."""

    def __init__(self, message: str, *, checks: list[str] | None = None) -> None:
        super().__init__(message)
        self.checks = checks or []


def _require_coordinator(by: User) -> None:
    if by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may do this."))


def _locked_record(user_id: int) -> tuple[User, RegistryRecord]:
    """The student or family and their record (created when missing), the record locked.
    ``User.DoesNotExist`` (404) for anyone else."""
    user = User.objects.get(pk=user_id, role__in=(Role.STUDENT, Role.HOST))
    RegistryRecord.objects.get_or_create(user=user)
    # Only the record's own row: PostgreSQL locks no nullable side of a join (the school).
    record = (
        RegistryRecord.objects.select_for_update(of=("self",))
        .select_related("school")
        .get(user=user)
    )
    return user, record


def _approval_end(record: RegistryRecord, today: dt.date) -> dt.date:
    """The end of a family's approval given or renewed today: one period from the end of the
    current one when it ends inside the renewal window or later, else from today; never more
    than one period plus the window ahead, so renewing early gains nothing."""
    months = selectors.registry_policy().approval_months
    start = today
    if record.valid_until is not None and record.valid_until >= today:
        start = record.valid_until
    cap = today + dt.timedelta(days=selectors.RENEWAL_WINDOW_DAYS)
    return selectors.months_after(min(start, cap), months)


def _confirmation_end(today: dt.date) -> dt.date:
    """The end of the academic year a student is confirmed for: the current one, or the next
    once the current one ends within the renewal window."""
    start_month = selectors.registry_policy().academic_year_start_month
    soon = today + dt.timedelta(days=selectors.RENEWAL_WINDOW_DAYS)
    return selectors.academic_year_end(soon, start_month=start_month)


def _approve_if_complete(user: User, record: RegistryRecord, today: dt.date) -> None:
    """Approve a pending or lapsed, unsuspended family whose required checks are all current."""
    status = selectors.person_status(role=Role.HOST, record=record, today=today)
    if status not in (selectors.PENDING, selectors.EXPIRED):
        return
    person = selectors.person_of(user_id=user.pk, today=today)
    if person is None or person.lapsed_checks:
        return
    record.valid_until = _approval_end(record, today)
    record.first_approved_on = record.first_approved_on or today
    record.save(update_fields=["valid_until", "first_approved_on", "updated_at"])


def check_record(*, user_id: int, check: str, done_on: dt.date, note: str, by: User) -> CheckRecord:
    """A coordinator records that a family passed ``check`` on ``done_on``; a family whose
    required checks are then all current is approved for the policy's period.

    Locks the family's record. Raises User.DoesNotExist (no such student or family),
    RegistryConflict (a student), ValidationError naming ``check``, ``done_on`` or ``note``."""
    _require_coordinator(by)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    known = selectors.vetting_checks().filter(code=check).first()
    if known is None:
        errors["check"] = [_("Not one of the association's checks.")]
    if done_on > today:
        errors["done_on"] = [_("The date cannot be in the future.")]
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}]
    with transaction.atomic():
        user, record = _locked_record(user_id)
        if user.role != Role.HOST:
            raise RegistryConflict(_("Checks are recorded for host families only."))
        if errors or known is None:
            raise ValidationError(errors)
        row = CheckRecord.objects.create(
            user=user, vetting_check=known, done_on=done_on, note=note.strip(), recorded_by=by
        )
        _approve_if_complete(user, record, today)
    return row


def person_suspend(*, user_id: int, reason: str, by: User) -> RegistryRecord:
    """A coordinator suspends a family: it is matched no more until the suspension is lifted,
    and ``accounts.signals.person_suspended`` is sent in the transaction (matching cancels
    the family's open proposals and tells both sides, on commit).

    Locks the family's record. Raises User.DoesNotExist, ValidationError naming ``reason``,
    RegistryConflict (a student, or a family already suspended)."""
    _require_coordinator(by)
    reason = reason.strip()
    with transaction.atomic():
        user, record = _locked_record(user_id)
        if user.role != Role.HOST:
            raise RegistryConflict(_("Only host families can be suspended."))
        if not reason:
            raise ValidationError({"reason": [_("Say why the family is suspended.")]})
        if len(reason) > REASON_MAX_LENGTH:
            raise ValidationError(
                {"reason": [_("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH}]}
            )
        if record.suspended_at is not None:
            raise RegistryConflict(_("This family is already suspended."))
        record.suspended_at = timezone.now()
        record.suspended_reason = reason
        record.suspended_by = by
        record.save(
            update_fields=["suspended_at", "suspended_reason", "suspended_by", "updated_at"]
        )
        person_suspended.send(sender=RegistryRecord, user=user, reason=reason, by=by)
    return record


def person_reinstate(*, user_id: int, by: User) -> RegistryRecord:
    """A coordinator lifts a family's suspension; its approval counts again if still current.
    Locks the record. Raises User.DoesNotExist, RegistryConflict (not suspended)."""
    _require_coordinator(by)
    with transaction.atomic():
        _user, record = _locked_record(user_id)
        if record.suspended_at is None:
            raise RegistryConflict(_("This family is not suspended."))
        record.suspended_at = None
        record.suspended_reason = ""
        record.suspended_by = None
        record.save(
            update_fields=["suspended_at", "suspended_reason", "suspended_by", "updated_at"]
        )
    return record


def _confirm(record: RegistryRecord, *, via: str, by: User | None, today: dt.date) -> None:
    record.confirmed_at = timezone.now()
    record.confirmed_via = via
    record.confirmed_by = by
    record.valid_until = _confirmation_end(today)
    record.first_approved_on = record.first_approved_on or today
    record.renewal_requested_at = None
    record.save()


def student_confirm(*, user_id: int, by: User) -> RegistryRecord:
    """A coordinator confirms a student (their enrolment seen) until the end of the academic
    year. Locks the record. Raises User.DoesNotExist, RegistryConflict (a family)."""
    _require_coordinator(by)
    with transaction.atomic():
        user, record = _locked_record(user_id)
        if user.role != Role.STUDENT:
            raise RegistryConflict(_("Only students are confirmed; families are vetted."))
        _confirm(record, via=RegistryRecord.ConfirmedVia.COORDINATOR, by=by, today=_today())
    return record


def _today() -> dt.date:
    return timezone.localdate()


def _confirm_by_domain(user: User, record: RegistryRecord, today: dt.date) -> bool:
    school = record.school
    if school is None or not user.email_verified or not school.active:
        return False
    if not selectors.school_for_email(school=school, email=user.email):
        return False
    _confirm(record, via=RegistryRecord.ConfirmedVia.DOMAIN, by=None, today=today)
    return True


def student_confirm_by_domain(*, user: User) -> bool:
    """Confirm a student at once when their verified address is on their school's domains and
    they are not confirmed for this year yet (after the address is verified); True when
    confirmed now. Locks the record."""
    if user.role != Role.STUDENT:
        return False
    with transaction.atomic():
        user, record = _locked_record(user.pk)
        today = _today()
        if selectors.person_status(role=Role.STUDENT, record=record, today=today) == (
            selectors.CONFIRMED
        ):
            return False
        return _confirm_by_domain(user, record, today)


def student_school_choose(*, user: User, school_id: int) -> RegistryRecord:
    """A student picks their partner school; a verified address on its domains confirms them
    at once, otherwise a coordinator will. Choosing another school undoes a confirmation.
    Locks the record. Raises RegistryConflict (not a student), ValidationError (``school``)."""
    if user.role != Role.STUDENT:
        raise RegistryConflict(_("Only students choose a school."))
    school = PartnerSchool.objects.filter(pk=school_id, active=True).first()
    if school is None:
        raise ValidationError({"school": [_("Not one of the association's partner schools.")]})
    with transaction.atomic():
        user, record = _locked_record(user.pk)
        if record.school_id != school.pk:
            record.school = school
            record.confirmed_at = None
            record.confirmed_via = ""
            record.confirmed_by = None
            record.valid_until = None
            record.save()
            _confirm_by_domain(user, record, _today())
    return record


def renewal_submit(*, user: User, unchanged: bool) -> RegistryRecord:
    """A family or a student renews their standing in one step (``unchanged``: nothing changed
    since the last time; otherwise they have just edited their profile).

    A family: approved again for the policy's period from the end of the current one (see
    ``_approval_end``); RegistryConflict (with the ``checks``) when a required check lapsed,
    when it was never approved, or when suspended. A student: confirmed for the coming academic
    year at once by their school's domain; otherwise the request waits for a coordinator
    (``renewal_requested_at``). Locks the record."""
    if user.role not in (Role.STUDENT, Role.HOST):
        raise PermissionDenied(_("Only students and host families renew."))
    today = _today()
    with transaction.atomic():
        user, record = _locked_record(user.pk)
        if user.role == Role.HOST:
            _renew_family(user, record, today)
        elif not _confirm_by_domain(user, record, today):
            if record.school_id is None:
                raise RegistryConflict(_("Choose your school first."))
            record.renewal_requested_at = timezone.now()
        record.renewed_at = timezone.now()
        record.renewed_with_changes = not unchanged
        record.save()
    return record


def _renew_family(user: User, record: RegistryRecord, today: dt.date) -> None:
    status = selectors.person_status(role=Role.HOST, record=record, today=today)
    if status == selectors.SUSPENDED:
        raise RegistryConflict(_("A suspended family cannot renew; please contact us."))
    person = selectors.person_of(user_id=user.pk, today=today)
    lapsed = person.lapsed_checks if person else []
    if status == selectors.PENDING:
        raise RegistryConflict(
            _("Your family is not approved yet: the association still has checks to make."),
            checks=lapsed,
        )
    if lapsed:
        names = [s.check.label() for s in person.checks if s.check.code in lapsed] if person else []
        raise RegistryConflict(
            _("A required check has lapsed (%(checks)s); please contact us to renew it.")
            % {"checks": _(", ").join(names)},
            checks=lapsed,
        )
    record.valid_until = _approval_end(record, today)
