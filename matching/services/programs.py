"""Writes for programmes and applications: create and close a programme, apply, change a
student's wish, withdraw.

Every function raises ``django.core.exceptions.ValidationError`` with a dict naming each bad
field (the API turns it into a 400) and stores nothing in that case, or ``PermissionDenied``
when the caller's role may not do this at all (a 403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.formatting import moment_label
from accounts.languages import CODES, JAPANESE
from accounts.models import Role, User
from accounts.selectors import (
    profile_is_complete,
    profile_missing_fields,
    profile_of,
)
from accounts.verification import email_verified_required
from matching.models import Application, HostDay, Program
from matching.selectors.programs import (
    application_change_refusal,
    application_holds_live_proposal,
    not_alone_misfit,
    program_days_over,
)
from matching.services.groups import group_requests_end_for_application

NAME_MAX = Program._meta.get_field("name").max_length or 200
DESCRIPTION_MAX = Program._meta.get_field("description").max_length or 10_000


def _check_days(days: Sequence[dt.date], errors: dict[str, list[str]]) -> list[dt.date]:
    """At least one day, each once; sorted. Records an error under ``dates`` when not."""
    if not days:
        errors["dates"] = [_("Give at least one date (YYYY-MM-DD).")]
        return []
    if len(set(days)) != len(days):
        errors["dates"] = [_("Give each date only once.")]
        return []
    return sorted(days)


def _end_of(moment: dt.datetime | dt.date) -> dt.datetime:
    """An aware datetime; a bare date means the end of that day, local time ("apply until
    1 March" means the whole of 1 March)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(23, 59, 59))
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
    dates: Sequence[dt.date],
    apply_until: dt.datetime | dt.date,
    response_hours: int,
    description: str = "",
    unplaced_twice_first: bool = False,
    language_level: str = Program.LanguageLevel.INTERMEDIATE,
    allow_easy_japanese: bool = True,
    reoffer: bool = True,
    reoffer_lead_days: int = 3,
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> Program:
    """Create a programme open for applications, from clean values (the serializer or form
    checked their types and the model's limits).

    ``dates`` are the visit days (or, for a year-long pairing, the day pairs first meet): at
    least one, each in the future and given once; they are stored sorted. Applications close at
    ``apply_until`` (a bare date: the end of that day), which must be in the future and before
    the first date. ``reoffer`` and ``reoffer_lead_days``: whether, and until how many days
    before a visit day, a freed seat is offered again (``matching.services.reoffers``).

    ``translations`` holds the name and description in other languages than Japanese
    (``Program.text_in``): ``{"vi": {"name": ..., "description": ...}}``, empty parts left out.
    the first date. ``unplaced_twice_first``: the coordinator's fair-tie setting (a student
    left unplaced twice is placed first wherever possible).

    Raises PermissionDenied for a non-coordinator, ValidationError naming each bad field."""
    _require_coordinator(by)
    errors: dict[str, list[str]] = {}
    kept = _check_translations(translations or {}, errors)
    days = _check_days(dates, errors)
    if days and days[0] <= timezone.localdate():
        errors["dates"] = [_("Every date must be in the future.")]
    deadline = _end_of(apply_until)
    if deadline <= timezone.now():
        errors["apply_until"] = [_("Applications must close in the future.")]
    elif days and timezone.localtime(deadline).date() >= days[0]:
        errors["apply_until"] = [_("Applications must close before the first date.")]
    if errors:
        raise ValidationError(errors)
    return Program.objects.create(
        name=name,
        kind=kind,
        description=description,
        translations=kept,
        dates=[day.isoformat() for day in days],
        apply_until=deadline,
        response_hours=response_hours,
        unplaced_twice_first=unplaced_twice_first,
        language_level=language_level,
        allow_easy_japanese=allow_easy_japanese,
        reoffer=reoffer,
        reoffer_lead_days=reoffer_lead_days,
        created_by=by,
    )


def _check_translations(
    translations: Mapping[str, Mapping[str, str]], errors: dict[str, list[str]]
) -> dict[str, dict[str, str]]:
    """The non-empty parts of each language's name and description; an unknown language or
    part, or a text over the model's limits, is named in ``errors``."""
    limits = {"name": NAME_MAX, "description": DESCRIPTION_MAX}
    kept: dict[str, dict[str, str]] = {}
    for language, parts in translations.items():
        if language not in CODES or language == JAPANESE or not set(parts) <= set(limits):
            errors["translations"] = [_("Only another language's name and description.")]
            continue
        for part, text in parts.items():
            if len(text.strip()) > limits[part]:
                errors[f"{part}_{language.replace('-', '_')}"] = [
                    _("At most %(n)d characters.") % {"n": limits[part]}
                ]
            elif text.strip():
                kept.setdefault(language, {})[part] = text.strip()
    return kept


@transaction.atomic
def program_reoffer_settings(
    *, program: Program, by: User, reoffer: bool, reoffer_lead_days: int, reoffer_hours: int
) -> Program:
    """Change whether freed seats of ``program`` are offered again, until how many days before
    a visit day, and the hours a re-offer may be answered in (clean values: the form checked
    the model's limits). Applies to seats freed from now on. Locks the programme row (a
    re-offer in progress finishes under the old settings)."""
    _require_coordinator(by)
    locked = Program.objects.select_for_update().get(pk=program.pk)
    locked.reoffer = reoffer
    locked.reoffer_lead_days = reoffer_lead_days
    locked.reoffer_hours = reoffer_hours
    locked.save(update_fields=["reoffer", "reoffer_lead_days", "reoffer_hours"])
    return locked


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


def _unique(codes: Sequence[str]) -> list[str]:
    """Each code once, in the order given."""
    return list(dict.fromkeys(codes))


@transaction.atomic
def application_submit(
    *,
    program: Program,
    user: User,
    dates: Sequence[dt.date] | None = None,
    capacity: int | None = None,
    teaches: Sequence[str] | None = None,
    learns: Sequence[str] | None = None,
    format: str | None = None,
    time_slots: Sequence[str] | None = None,
    date_ranking: Sequence[dt.date] | None = None,
    not_alone: bool = False,
) -> Application:
    """Apply to a programme as a student or a host family, from clean values (the serializer
    or form checked the types, the codes and the model's limits).

    A student of a home visit may rank some or all of its ``dates``, most wanted first
    (``date_ranking``, each day once): the first choice scores more in the matcher. With
    ``not_alone`` (meant for beginners) the student is placed only where a second student
    visits the same family the same day.

    Home visits: ``dates`` (a subset of the programme's); a family also gives ``capacity``
    (seats per date), stored as one ``HostDay`` per date. Language exchange: ``teaches``,
    ``learns`` (reference language codes) and ``format``; ``dates`` default to the programme's.
    ``time_slots`` are codes of the weekly grid (``accounts.reference_data.WEEKLY_SLOTS``),
    stored once each in the order given. They stay optional, as the API contract has it
    (API.md lists no ``time_slots`` for the application), though the solver pairs only people
    who share one; the web form asks for at least one.

    Locks the programme row, so that an application and a close never interleave. Raises
    PermissionDenied for a coordinator and for an account whose e-mail address is not
    confirmed yet (``accounts.verification``); ValidationError (nothing stored) when the profile is
    incomplete ("profile"), applications are closed ("apply_until" / "program"), a date is not
    the programme's ("dates"), a field does not fit the programme's kind or the user's role,
    or the user already applied ("program")."""
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
                    % {"when": moment_label(program.apply_until)}
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
    if dates is None and program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        dates = program.days
    days = _check_days(dates or [], errors)
    offered = set(program.days)
    outside = [day.isoformat() for day in days if day not in offered]
    if outside:
        errors["dates"] = [
            _("Not a date of this programme: %(dates)s. Its dates are %(offered)s.")
            % {"dates": ", ".join(outside), "offered": ", ".join(program.dates)}
        ]
    seats = 0
    fields: dict[str, Any] = {}
    if date_ranking:
        ranked = list(date_ranking)
        if program.kind != Program.Kind.HOME_VISIT or user.role != Role.STUDENT:
            errors["date_ranking"] = [_("Only a student of a home visit ranks the days.")]
        elif len(set(ranked)) != len(ranked) or not set(ranked) <= set(days):
            errors["date_ranking"] = [_("Rank only the days you can make, each day once.")]
        else:
            fields["date_ranking"] = [day.isoformat() for day in ranked]
    if not_alone:
        misfit = not_alone_misfit(program, user.role)
        if misfit:
            errors["not_alone"] = [misfit]
        else:
            fields["not_alone"] = True
    if program.kind == Program.Kind.HOME_VISIT:
        if user.role == Role.HOST:
            if capacity is None:
                errors["capacity"] = [_("Say how many students you can welcome per day.")]
            else:
                seats = capacity
        elif capacity is not None:
            errors["capacity"] = [_("Only host families offer seats.")]
        for name, value in (("teaches", teaches), ("learns", learns), ("format", format)):
            if value:
                errors[name] = [_("Only language-exchange programmes take this field.")]
    else:
        if capacity is not None:
            errors["capacity"] = [_("A language exchange pairs people one to one.")]
        fields["teaches"] = _unique(teaches or [])
        fields["learns"] = _unique(learns or [])
        for name in ("teaches", "learns"):
            if not fields[name]:
                errors[name] = [_("Give at least one language code.")]
        if (
            fields["teaches"]
            and fields["learns"]
            and set(fields["teaches"]) == set(fields["learns"])
        ):
            errors["learns"] = [_("Learn at least one language you do not teach.")]
        if not format:
            errors["format"] = [_("Choose online, in_person or either.")]
        else:
            fields["format"] = format
    fields["time_slots"] = _unique(time_slots or [])
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
def application_update(*, application: Application, by: User, not_alone: bool) -> Application:
    """The applicant turns the "not alone" wish on or off after applying (a clean boolean:
    the serializer or form parsed it); the same value again changes nothing.

    Allowed while ``matching.selectors.programs.application_change_refusal`` has no reason
    against it: the application is active, its programme open, and no visit of it is live
    (the rule that also keeps a proposed applicant from withdrawing). Locks the application
    row, as withdrawing does, so a round's publishing or an answer never interleaves. Raises
    PermissionDenied for anyone but the applicant; ValidationError, nothing stored, naming
    "not_alone" (not a student of a home visit), "program" (closed) or "application"
    (withdrawn, or a visit proposed)."""
    if by.pk != application.user_id:
        raise PermissionDenied(_("Only the applicant may change this application."))
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=application.pk)
    )
    misfit = not_alone_misfit(locked.program, locked.role)
    if misfit:
        raise ValidationError({"not_alone": [misfit]})
    refusal = application_change_refusal(application=locked)
    if refusal:
        raise ValidationError(refusal)
    if locked.not_alone != not_alone:
        locked.not_alone = not_alone
        locked.save(update_fields=["not_alone"])
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    """Withdraw an application (the applicant, or a coordinator on their behalf). Withdrawing
    twice changes nothing. An applicant holding a live proposal must answer or decline it
    first, so no published pair loses a side silently; after the programme's last visit day
    there is nothing left to withdraw from. A student's invitation or group to
    visit together ends with it (``matching.services.groups``; the other student is told on
    commit).

    Locks the application row against a concurrent round write or answer."""
    if by.pk != application.user_id and by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only the applicant or a coordinator may withdraw this."))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status == Application.Status.WITHDRAWN:
        return locked
    if program_days_over(locked.program):
        raise ValidationError({"program": [_("The days of this programme are over.")]})
    if application_holds_live_proposal(application=locked):
        raise ValidationError(
            {
                "application": [
                    _("This application has a live proposal: decline it before withdrawing.")
                ]
            }
        )
    locked.status = Application.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    # Nobody is kept waiting for a partner who left: the other student is placed on their own.
    group_requests_end_for_application(application=locked, by=by)
    return locked
