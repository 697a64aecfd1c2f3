"""Writes for programmes and applications: create and close a programme, apply, withdraw.

Every function raises ``django.core.exceptions.ValidationError`` with a dict naming each bad
field (the API turns it into a 400) and stores nothing in that case, or ``PermissionDenied``
when the caller's role may not do this at all (a 403).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.reference_data import WEEKLY_SLOT_CODES
from accounts.selectors import (
    profile_is_complete,
    profile_missing_fields,
    profile_of,
    reference_codes,
)
from accounts.verification import email_verified_required
from matching.models import Application, HostDay, Program, Proposal

MAX_DATES = 60
MAX_RESPONSE_HOURS = 24 * 30
MAX_CAPACITY = 3
MAX_LANGUAGES = 10
MAX_TIME_SLOTS = 21


def _parse_dates(value: Any, field: str, errors: dict[str, list[str]]) -> list[dt.date]:
    """Parse a list of ISO dates, each once; records an error under ``field`` when bad."""
    if not isinstance(value, list | tuple) or not value:
        errors[field] = [_("Give at least one date (YYYY-MM-DD).")]
        return []
    if len(value) > MAX_DATES:
        errors[field] = [_("Give at most %(n)d dates.") % {"n": MAX_DATES}]
        return []
    parsed: list[dt.date] = []
    for item in value:
        day = item if isinstance(item, dt.date) else None
        if day is None and isinstance(item, str):
            try:
                day = parse_date(item.strip())
            except ValueError:
                day = None
        if day is None:
            errors[field] = [_("%(value)r is not a date (YYYY-MM-DD).") % {"value": item}]
            return []
        parsed.append(day)
    if len(set(parsed)) != len(parsed):
        errors[field] = [_("Give each date only once.")]
        return []
    return sorted(parsed)


def _parse_moment(value: Any) -> dt.datetime | None:
    """An aware datetime from a datetime, an ISO datetime or an ISO date (the end of that day,
    local time: "apply until 1 March" means the whole of 1 March)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            # A bare date first: parse_datetime would read it as midnight.
            day = parse_date(text) if len(text) == 10 else None
            parsed = None if day else parse_datetime(text)
        except ValueError:
            return None
        if day is not None:
            moment = dt.datetime.combine(day, dt.time(23, 59, 59))
        elif parsed is not None:
            moment = parsed
        else:
            return None
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(23, 59, 59))
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _require_coordinator(user: User) -> None:
    if user.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators may do this."))


@transaction.atomic
def program_create(
    *,
    by: User,
    name: str,
    kind: str,
    dates: Sequence[str | dt.date],
    apply_until: str | dt.datetime | dt.date,
    response_hours: int,
    description: str = "",
) -> Program:
    """Create a programme open for applications.

    ``dates`` are the visit days (or, for a year-long pairing, the day pairs first meet): at
    least one, each in the future and given once; they are stored sorted. Applications close at
    ``apply_until``, which must be in the future and before the first date.

    Raises PermissionDenied for a non-coordinator, ValidationError naming each bad field."""
    _require_coordinator(by)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the programme a name.")]
    elif len(name) > 200:
        errors["name"] = [_("A name has at most 200 characters.")]
    if kind not in Program.Kind.values:
        errors["kind"] = [
            _("Unknown kind %(kind)r: choose home_visit or language_exchange.") % {"kind": kind}
        ]
    days = _parse_dates(list(dates) if isinstance(dates, list | tuple) else dates, "dates", errors)
    today = timezone.localdate()
    if days and days[0] <= today:
        errors["dates"] = [_("Every date must be in the future.")]
    deadline = _parse_moment(apply_until)
    if deadline is None:
        errors["apply_until"] = [_("Give a date and time (ISO 8601) when applications close.")]
    elif deadline <= timezone.now():
        errors["apply_until"] = [_("Applications must close in the future.")]
    elif days and timezone.localtime(deadline).date() >= days[0]:
        errors["apply_until"] = [_("Applications must close before the first date.")]
    if (
        not isinstance(response_hours, int)
        or isinstance(response_hours, bool)
        or not 1 <= response_hours <= MAX_RESPONSE_HOURS
    ):
        errors["response_hours"] = [
            _("Give a whole number of hours from 1 to %(max)d.") % {"max": MAX_RESPONSE_HOURS}
        ]
    description = (description or "").strip()
    if len(description) > 10000:
        errors["description"] = [_("A description has at most 10000 characters.")]
    if errors or deadline is None:
        raise ValidationError(errors)
    return Program.objects.create(
        name=name,
        kind=kind,
        description=description,
        dates=[day.isoformat() for day in days],
        apply_until=deadline,
        response_hours=response_hours,
        created_by=by,
    )


@transaction.atomic
def program_close(*, program: Program, by: User) -> Program:
    """Close a programme: no more applications or rounds. Closing twice changes nothing.

    Locks the programme row so that a close and an application never interleave."""
    _require_coordinator(by)
    locked = Program.objects.select_for_update().get(pk=program.pk)
    if locked.status != Program.Status.CLOSED:
        locked.status = Program.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
    return locked


def _check_language_codes(
    value: Any, field: str, known: frozenset[str], errors: dict[str, list[str]]
) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        errors[field] = [_("Give at least one language code.")]
        return []
    if len(value) > MAX_LANGUAGES:
        errors[field] = [_("Give at most %(n)d languages.") % {"n": MAX_LANGUAGES}]
        return []
    codes: list[str] = []
    for code in value:
        if not isinstance(code, str) or code not in known:
            errors[field] = [_("Unknown language code %(code)r.") % {"code": code}]
            return []
        if code not in codes:
            codes.append(code)
    return codes


def _check_time_slots(value: Any, errors: dict[str, list[str]]) -> list[str]:
    """Weekly time-slot codes of the reference grid (``sat-am``), each once, in the order
    given. An unknown code is refused with every bad code named: stored, it could never match
    anyone's, and the solver pairs only people who share a slot."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or len(value) > MAX_TIME_SLOTS:
        errors["time_slots"] = [
            _("Give a list of at most %(n)d time slots.") % {"n": MAX_TIME_SLOTS}
        ]
        return []
    slots: list[str] = []
    unknown: list[str] = []
    for slot in value:
        code = slot.strip() if isinstance(slot, str) else slot
        if not isinstance(code, str) or code not in WEEKLY_SLOT_CODES:
            unknown.append(repr(slot)[:40])  # named, but not echoed at any length
        elif code not in slots:
            slots.append(code)
    if unknown:
        errors["time_slots"] = [
            _(
                "Unknown weekly time slot: %(codes)s. A slot is a weekday (mon, tue, wed, thu, "
                "fri, sat, sun), a dash and a part of the day (am, pm, eve), such as sat-am."
            )
            % {"codes": ", ".join(unknown)}
        ]
        return []
    return slots


def _check_capacity(value: Any, errors: dict[str, list[str]]) -> int:
    if value is None:
        errors["capacity"] = [_("Say how many students you can welcome per day (1 to 3).")]
        return 0
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer()))
        or not 1 <= int(value) <= MAX_CAPACITY
    ):
        errors["capacity"] = [_("Capacity is a whole number from 1 to 3.")]
        return 0
    return int(value)


@transaction.atomic
def application_submit(
    *,
    program: Program,
    user: User,
    dates: Sequence[str | dt.date] | None = None,
    capacity: int | None = None,
    teaches: Sequence[str] | None = None,
    learns: Sequence[str] | None = None,
    format: str | None = None,
    time_slots: Sequence[str] | None = None,
) -> Application:
    """Apply to a programme as a student or a host family.

    Home visits: ``dates`` (a subset of the programme's); a family also gives ``capacity``
    (1-3 seats per date), stored as one ``HostDay`` per date. Language exchange: ``teaches``,
    ``learns`` (reference language codes) and ``format``; ``dates`` default to the programme's.
    ``time_slots`` are codes of the weekly grid (``accounts.reference_data.WEEKLY_SLOTS``).
    They stay optional, as the API contract has it (API.md lists no ``time_slots`` for the
    application), though the solver pairs only people who share one; the web form asks for
    at least one.

    Locks the programme row, so that an application and a close never interleave. Raises
    PermissionDenied for a coordinator and for an account whose e-mail address is not
    confirmed yet (``accounts.verification``); ValidationError (nothing stored) when the profile is
    incomplete ("profile"), applications are closed ("apply_until" / "program"), a date is not
    the programme's ("dates"), a weekly time slot is not a grid code ("time_slots"), or the
    user already applied ("program")."""
    if user.role not in (Role.STUDENT, Role.HOST):
        raise PermissionDenied(_("Only students and host families apply to programmes."))
    email_verified_required(user)
    program = Program.objects.select_for_update().get(pk=program.pk)
    errors: dict[str, list[str]] = {}
    if program.status != Program.Status.OPEN:
        raise ValidationError({"program": [_("This programme is closed.")]})
    if Application.objects.filter(program=program, user=user).exists():
        raise ValidationError({"program": [_("You have already applied to this programme.")]})
    if timezone.now() >= program.apply_until:
        raise ValidationError(
            {
                "apply_until": [
                    _("Applications to this programme closed on %(when)s.")
                    % {"when": timezone.localtime(program.apply_until).strftime("%Y-%m-%d %H:%M")}
                ]
            }
        )
    if not profile_is_complete(user):
        missing = profile_missing_fields(profile_of(user), user.role)
        raise ValidationError(
            {
                "profile": [
                    _("Complete your profile before applying; missing: %(fields)s.")
                    % {"fields": ", ".join(missing)}
                ]
            }
        )
    offered = set(program.dates)
    if dates is None and program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        dates = list(program.dates)
    days = _parse_dates(list(dates) if isinstance(dates, list | tuple) else dates, "dates", errors)
    outside = [day.isoformat() for day in days if day.isoformat() not in offered]
    if outside:
        errors["dates"] = [
            _("Not a date of this programme: %(dates)s. Its dates are %(offered)s.")
            % {"dates": ", ".join(outside), "offered": ", ".join(program.dates)}
        ]
    seats = 0
    fields: dict[str, Any] = {}
    if program.kind == Program.Kind.HOME_VISIT:
        if user.role == Role.HOST:
            seats = _check_capacity(capacity, errors)
        elif capacity is not None:
            errors["capacity"] = [_("Only host families offer seats.")]
        for name, value in (("teaches", teaches), ("learns", learns), ("format", format)):
            if value:
                errors[name] = [_("Only language-exchange programmes take this field.")]
    else:
        if capacity is not None:
            errors["capacity"] = [_("A language exchange pairs people one to one.")]
        known = reference_codes().languages
        fields["teaches"] = _check_language_codes(teaches, "teaches", known, errors)
        fields["learns"] = _check_language_codes(learns, "learns", known, errors)
        if (
            fields["teaches"]
            and fields["learns"]
            and set(fields["teaches"]) == set(fields["learns"])
        ):
            errors["learns"] = [_("Learn at least one language you do not teach.")]
        if format not in Application.Format.values:
            errors["format"] = [_("Choose online, in_person or either.")]
        else:
            fields["format"] = format
    fields["time_slots"] = _check_time_slots(time_slots, errors)
    if errors:
        raise ValidationError(errors)
    try:
        # A savepoint, so that losing the race with a second request leaves the outer
        # transaction usable for the clear error below.
        with transaction.atomic():
            application = Application.objects.create(
                program=program,
                user=user,
                role=user.role,
                dates=[day.isoformat() for day in days],
                **fields,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"program": [_("You have already applied to this programme.")]}
        ) from exc
    if seats:
        HostDay.objects.bulk_create(
            HostDay(application=application, date=day, seats=seats) for day in days
        )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    """Withdraw an application (the applicant, or a coordinator on their behalf). Withdrawing
    twice changes nothing. An applicant holding a live proposal must answer or decline it
    first, so no published pair loses a side silently.

    Locks the application row against a concurrent round write or answer."""
    if by.pk != application.user_id and by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only the applicant or a coordinator may withdraw this."))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status == Application.Status.WITHDRAWN:
        return locked
    live = Proposal.objects.filter(status__in=Proposal.LIVE)
    if (
        live.filter(student_application=locked).exists()
        or live.filter(host_application=locked).exists()
    ):
        raise ValidationError(
            {
                "application": [
                    _("This application has a live proposal: decline it before withdrawing.")
                ]
            }
        )
    locked.status = Application.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    return locked
