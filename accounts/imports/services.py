"""Importing the association's registry: the dry run that says what each row would do, and the
commit that does it all or nothing.

A row *creates* a person when nobody has its e-mail; *updates* the person with its e-mail; is
*merged* into a person found by the same phone (families), or the same name and address
(families) or name and school (students), flagged for the coordinator to confirm; or is
*refused* with each bad cell named. Committing a file with a refused row imports nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.api.serializers import HostProfileInput, StudentProfileInput
from accounts.audit import security_event
from accounts.imports.checks import CHECK_PREFIX, columns_for
from accounts.imports.columns import CellError, Column, lookups_clear, normalise
from accounts.imports.reading import Table, table_read
from accounts.models import HostProfile, Role, StudentProfile, User
from accounts.registry.models import CheckRecord, PartnerSchool
from accounts.registry.services import check_record, student_school_choose
from accounts.services import profile_save, user_update

KINDS = {"hosts": Role.HOST, "students": Role.STUDENT}
ACCOUNT_FIELDS = ("name", "email", "preferred_language")


@dataclass
class RowPlan:
    """What one row would do. ``errors`` maps a column header (as the file spells it) to its
    messages; ``existing`` is the person it updates or merges into, ``matched_on`` why."""

    row: int
    action: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    name: str = ""
    email: str = ""
    existing: int | None = None
    matched_on: str = ""
    account: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    # A student's school cell that names a partner school: the registry records it.
    partner_school: int | None = None
    # A family's vetting checks: code -> the day it was done.
    checks: dict[str, dt.date] = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: list[RowPlan]
    committed: bool
    ignored_columns: list[str]

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)


def _columns_of(kind: str, header: list[str]) -> tuple[dict[int, Column], list[str]]:
    """Which column each header cell is, and the headers no column takes. Raises
    ValidationError on ``file`` when a required column is missing or one is given twice."""
    known = columns_for(kind)
    found: dict[int, Column] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        column = next((c for c in known if normalise(title) in c.headers()), None)
        if column is None:
            if title:
                ignored.append(title)
            continue
        twice = [header[i] for i, c in found.items() if c.field == column.field]
        if twice:
            raise ValidationError(
                {
                    "file": [
                        _("The columns 「%(first)s」 and 「%(second)s」 mean the same thing.")
                        % {"first": twice[0], "second": title}
                    ]
                }
            )
        found[index] = column
    missing = [c for c in known if c.required and c not in found.values()]
    if missing:
        raise ValidationError(
            {
                "file": [
                    _("The file has no column %(missing)s. Its first row is: %(header)s.")
                    % {
                        "missing": ", ".join(f"「{c.header_ja}」 ({c.header_en})" for c in missing),
                        "header": " | ".join(header),
                    }
                ]
            }
        )
    return found, ignored


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))


def _same_text(text: str) -> str:
    return normalise(text).replace("-", "").replace("ー", "")


class _Registry:
    """The people a file's rows may match, read once per import (not once per row)."""

    def __init__(self, *, kind: str, emails: list[str]) -> None:
        self.by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
        self.by_phone: dict[str, int] = {}
        self.by_name_place: dict[tuple[str, str], int] = {}
        self.partner_schools: dict[str, int] = {}
        # The profile API's checks, its fields built once for the whole file.
        self.profile_input = (HostProfileInput if kind == "hosts" else StudentProfileInput)(
            data={}, partial=True
        )
        if kind == "hosts":
            for user_id, name, phone, address in HostProfile.objects.values_list(
                "user_id", "user__name", "phone", "address"
            ):
                if phone:
                    self.by_phone.setdefault(_digits(phone), user_id)
                if address:
                    self.by_name_place.setdefault((_same_text(name), _same_text(address)), user_id)
        else:
            self.partner_schools = {
                normalise(name): pk
                for pk, name_ja, name_en in PartnerSchool.objects.filter(active=True).values_list(
                    "pk", "name_ja", "name_en"
                )
                for name in (name_ja, name_en)
            }
            for user_id, name, school in StudentProfile.objects.values_list(
                "user_id", "user__name", "school"
            ):
                if school:
                    self.by_name_place.setdefault((_same_text(name), _same_text(school)), user_id)


def _error(plan: RowPlan, header: str, message: str) -> None:
    plan.errors.setdefault(header, []).append(message)


def _messages(detail: Any) -> list[str]:
    """A serializer's errors of one field, nested lists and dicts flattened to text."""
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _plan_row(
    *,
    kind: str,
    number: int,
    cells: list[str],
    header: list[str],
    columns: dict[int, Column],
    registry: _Registry,
) -> RowPlan:
    plan = RowPlan(row=number, action="refuse")
    header_of = {column.field: header[index] for index, column in columns.items()}
    values: dict[str, Any] = {}
    for index, column in columns.items():
        if cells[index]:
            try:
                values[column.field] = column.parse(cells[index])
            except CellError as exc:
                _error(plan, header[index], str(exc))
    plan.name = str(values.get("name", ""))
    plan.email = str(values.get("email", "")).lower()
    name_limit = User._meta.get_field("name").max_length or 150
    if "name" not in values:
        _error(plan, header_of["name"], _("A name is required."))
    elif len(plan.name) > name_limit:
        _error(plan, header_of["name"], _("At most %(n)d characters.") % {"n": name_limit})
    if "email" not in values:
        _error(plan, header_of["email"], _("An e-mail address is required."))
    else:
        try:
            validate_email(plan.email)
        except ValidationError:
            _error(
                plan,
                header_of["email"],
                _("「%(value)s」 is not an e-mail address.") % {"value": plan.email},
            )
    plan.account = {key: values[key] for key in ACCOUNT_FIELDS if key in values}
    plan.checks = {
        key.removeprefix(CHECK_PREFIX): value
        for key, value in values.items()
        if key.startswith(CHECK_PREFIX)
    }
    given = {
        key: value
        for key, value in values.items()
        if key not in ACCOUNT_FIELDS and not key.startswith(CHECK_PREFIX)
    }
    try:
        plan.profile = dict(registry.profile_input.run_validation(given))
    except serializers.ValidationError as exc:
        for name, detail in exc.detail.items():  # type: ignore[union-attr]  # a serializer's: a dict
            for message in _messages(detail):
                _error(plan, header_of.get(name, name), message)
    if "school" in given:
        plan.partner_school = registry.partner_schools.get(normalise(str(given["school"])))
    _match(plan, kind=kind, given=given, registry=registry, email_header=header_of["email"])
    return plan


def _match(
    plan: RowPlan, *, kind: str, given: dict[str, Any], registry: _Registry, email_header: str
) -> None:
    """Find the person the row is: by e-mail (an update), else by phone or by name and address
    or school (a merge the coordinator confirms)."""
    person = registry.by_email.get(plan.email)
    if person is not None:
        if person.role != KINDS[kind]:
            _error(
                plan,
                email_header,
                _("This e-mail belongs to another kind of account (%(role)s).")
                % {"role": person.get_role_display()},
            )
            return
        plan.existing, plan.matched_on = person.pk, "email"
        return
    phone = _digits(str(given.get("phone", "")))
    place = str(given.get("address" if kind == "hosts" else "school", ""))
    if phone and phone in registry.by_phone:
        plan.existing, plan.matched_on = registry.by_phone[phone], "phone"
    elif place and (_same_text(plan.name), _same_text(place)) in registry.by_name_place:
        plan.existing = registry.by_name_place[(_same_text(plan.name), _same_text(place))]
        plan.matched_on = "name_address" if kind == "hosts" else "name_school"


def import_plan(*, kind: str, table: Table) -> tuple[list[RowPlan], list[str]]:
    """Every row's plan, and the headers no column takes (ignored). Reads; writes nothing.
    Raises ValidationError on ``file`` when the header lacks a required column."""
    lookups_clear()
    columns, ignored = _columns_of(kind, table.header)
    email_index = next(i for i, c in columns.items() if c.field == "email")
    emails = [row[email_index].strip().lower() for row in table.rows]
    registry = _Registry(kind=kind, emails=emails)
    plans: list[RowPlan] = []
    first_with_email: dict[str, int] = {}
    first_with_person: dict[int, int] = {}
    for number, cells in zip(table.numbers, table.rows, strict=True):
        plan = _plan_row(
            kind=kind,
            number=number,
            cells=cells,
            header=table.header,
            columns=columns,
            registry=registry,
        )
        email_header = table.header[email_index]
        # One person per row: a second row with the same e-mail, or matching the same person,
        # is refused rather than applied twice in an order nobody chose.
        if plan.email and plan.email in first_with_email:
            _error(
                plan,
                email_header,
                _("Row %(row)d has the same e-mail.") % {"row": first_with_email[plan.email]},
            )
        elif plan.existing is not None and plan.existing in first_with_person:
            _error(
                plan,
                email_header,
                _("Row %(row)d is the same person.") % {"row": first_with_person[plan.existing]},
            )
        first_with_email.setdefault(plan.email, number)
        if plan.existing is not None:
            first_with_person.setdefault(plan.existing, number)
        if not plan.errors:
            plan.action = (
                "create"
                if plan.existing is None
                else "update"
                if plan.matched_on == "email"
                else "merge"
            )
        plans.append(plan)
    return plans, ignored


def _apply(plan: RowPlan, *, role: str, by: User) -> None:
    from accounts.tasks import invitation_send

    if plan.action == "create":
        # Students are from abroad: without a language column their e-mails go in English.
        language = plan.account.get("preferred_language", "en" if role == Role.STUDENT else "ja")
        user = User.objects.create_user(
            plan.email,
            None,  # no password: the invitation's link sets one
            name=plan.name,
            role=role,
            preferred_language=language,
            # The association's own registry vouches for the address, as for its coordinators.
            email_verified_at=timezone.now(),
        )
        profile = dict(plan.profile)
        if role == Role.HOST:
            profile.setdefault("household_name", plan.name)
        profile_save(user=user, data=profile, partial=True)
        _registry(user, plan, by=by)
        user_id = user.pk
        transaction.on_commit(lambda: invitation_send.delay(user_id), robust=True)
        return
    assert plan.existing is not None  # an update or a merge names its person
    user = User.objects.select_for_update().get(pk=plan.existing)
    if plan.action == "update":
        user_update(
            user=user,
            name=plan.account.get("name"),
            preferred_language=plan.account.get("preferred_language"),
        )
    # A merge keeps the person's own name, e-mail and language: only the profile's cells move.
    if plan.profile:
        profile_save(user=user, data=plan.profile, partial=True)
    _registry(user, plan, by=by)


def _registry(user: User, plan: RowPlan, *, by: User) -> None:
    """A student's partner school goes into the registry (its e-mail domain may confirm them
    at once: the import marks addresses as verified); a family's checks are recorded (all the
    required ones approve it), each date once."""
    if plan.partner_school is not None:
        student_school_choose(user=user, school_id=plan.partner_school)
    recorded = set(CheckRecord.objects.filter(user=user).values_list("vetting_check_id", "done_on"))
    for code, day in plan.checks.items():
        if (code, day) not in recorded:
            check_record(
                user_id=user.pk, check=code, done_on=day, note=_("From the registry import"), by=by
            )


def registry_import(
    *, kind: str, upload: IO[bytes], filename: str, commit: bool, by: User
) -> ImportResult:
    """Read the file and plan every row (a dry run); with ``commit``, and no row refused,
    apply every row in one transaction. Nothing is written when a row is refused, so a file
    is imported whole or not at all.

    Locks the users it updates or merges into. On commit, each created person is sent an
    invitation to set a password, in their language (``accounts.invitation_send``). Raises
    ValidationError on ``file`` for a file that cannot be read, lacks a required column, or
    meets an e-mail taken meanwhile (nothing imported then)."""
    table = table_read(upload=upload, filename=filename)
    try:
        with transaction.atomic():
            plans, ignored = import_plan(kind=kind, table=table)
            committed = commit and all(plan.action != "refuse" for plan in plans)
            if committed:
                for plan in plans:
                    _apply(plan, role=KINDS[kind], by=by)
    except IntegrityError as exc:
        raise ValidationError(
            {"file": [_("An e-mail of the file was taken meanwhile: nothing was imported.")]}
        ) from exc
    security_event(
        "registry_import", user_id=by.pk, kind=kind, rows=len(plans), committed=committed
    )
    return ImportResult(rows=plans, committed=committed, ignored_columns=ignored)
