"""The registry's services: a family approved once every required check is recorded, renewed
in one step (refused when a check lapsed), suspended; a student confirmed by their school's
domain or by a coordinator, each academic year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import CheckRecord, PartnerSchool, RegistryPolicy, RegistryRecord, User
from accounts.registry import selectors, services
from accounts.registry.services import RegistryConflict
from accounts.verification import email_verify, verification_token
from tests import factories

pytestmark = pytest.mark.django_db

REQUIRED = ("briefing", "home-visit", "household-consent", "pledge")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def today() -> dt.date:
    return timezone.localdate()


def pending_family() -> User:
    return factories.HostProfileFactory(standing="pending").user


def record_all(user: User, by: User, *, done_on: dt.date | None = None) -> None:
    for code in REQUIRED:
        services.check_record(
            user_id=user.pk, check=code, done_on=done_on or today(), note="", by=by
        )


def status_of(user: User) -> str:
    person = selectors.person_of(user_id=user.pk)
    assert person is not None
    return person.status


def test_a_family_is_pending_until_every_required_check_is_recorded(coordinator: User) -> None:
    family = pending_family()
    for code in REQUIRED[:-1]:
        services.check_record(
            user_id=family.pk, check=code, done_on=today(), note="", by=coordinator
        )
        assert status_of(family) == "pending"
    services.check_record(
        user_id=family.pk,
        check="pledge",
        done_on=today(),
        note="signed at the desk",
        by=coordinator,
    )
    record = RegistryRecord.objects.get(user=family)
    assert status_of(family) == "approved"
    assert record.valid_until == selectors.months_after(today(), 12)
    assert record.first_approved_on == today()
    row = CheckRecord.objects.get(user=family, vetting_check="pledge")
    assert (row.note, row.recorded_by) == ("signed at the desk", coordinator)


def test_the_approval_period_is_the_policys(coordinator: User) -> None:
    RegistryPolicy.objects.update_or_create(pk=1, defaults={"approval_months": 6})
    family = pending_family()
    record_all(family, coordinator)
    assert RegistryRecord.objects.get(user=family).valid_until == selectors.months_after(today(), 6)


def test_an_optional_check_is_not_needed_for_approval(coordinator: User) -> None:
    from accounts.models import VettingCheck

    VettingCheck.objects.create(
        code="first-aid", name_ja="救命講習", name_en="First aid", required=False
    )
    family = pending_family()
    record_all(family, coordinator)
    assert status_of(family) == "approved"


def test_a_check_with_a_bad_code_date_or_role_changes_nothing(
    coordinator: User, student: User
) -> None:
    family = pending_family()
    with pytest.raises(ValidationError) as error:
        services.check_record(
            user_id=family.pk,
            check="astrology",
            done_on=today() + dt.timedelta(days=1),
            note="",
            by=coordinator,
        )
    assert set(error.value.message_dict) == {"check", "done_on"}
    with pytest.raises(RegistryConflict):
        services.check_record(
            user_id=student.pk, check="pledge", done_on=today(), note="", by=coordinator
        )
    with pytest.raises(User.DoesNotExist):
        services.check_record(
            user_id=coordinator.pk, check="pledge", done_on=today(), note="", by=coordinator
        )
    with pytest.raises(PermissionDenied):
        services.check_record(
            user_id=family.pk, check="pledge", done_on=today(), note="", by=family
        )
    assert not CheckRecord.objects.exists()


def test_renewal_unchanged_extends_from_the_end_of_the_current_approval(coordinator: User) -> None:
    family = pending_family()
    record_all(family, coordinator)
    ends = today() + dt.timedelta(days=20)
    RegistryRecord.objects.filter(user=family).update(valid_until=ends)
    record = services.renewal_submit(user=family, unchanged=True)
    assert record.valid_until == selectors.months_after(ends, 12)
    assert record.renewed_at is not None and record.renewed_with_changes is False


def test_renewing_early_gains_at_most_a_period_past_the_window(coordinator: User) -> None:
    family = pending_family()
    record_all(family, coordinator)
    first = RegistryRecord.objects.get(user=family).valid_until
    again = services.renewal_submit(user=family, unchanged=False).valid_until
    cap = selectors.months_after(today() + dt.timedelta(days=selectors.RENEWAL_WINDOW_DAYS), 12)
    assert first is not None and again is not None
    assert first <= again <= cap
    assert RegistryRecord.objects.get(user=family).renewed_with_changes is True


def test_a_lapsed_family_renews_from_today(coordinator: User) -> None:
    family = pending_family()
    record_all(family, coordinator)
    RegistryRecord.objects.filter(user=family).update(valid_until=today() - dt.timedelta(days=3))
    assert status_of(family) == "expired"
    record = services.renewal_submit(user=family, unchanged=True)
    assert record.valid_until == selectors.months_after(today(), 12)
    assert status_of(family) == "approved"


def test_renewal_is_refused_when_a_required_check_has_lapsed(coordinator: User) -> None:
    family = pending_family()
    # The briefing counts for 36 months (the migration's checks): done 37 months ago.
    old = selectors.months_after(today(), -37)
    services.check_record(user_id=family.pk, check="briefing", done_on=old, note="", by=coordinator)
    for code in REQUIRED[1:]:
        services.check_record(
            user_id=family.pk, check=code, done_on=today(), note="", by=coordinator
        )
    assert status_of(family) == "pending"
    RegistryRecord.objects.filter(user=family).update(valid_until=today() + dt.timedelta(days=5))
    before = RegistryRecord.objects.get(user=family).valid_until
    with pytest.raises(RegistryConflict) as refused:
        services.renewal_submit(user=family, unchanged=True)
    assert refused.value.checks == ["briefing"]
    assert RegistryRecord.objects.get(user=family).valid_until == before
    # Recording the briefing again lets the family renew.
    services.check_record(
        user_id=family.pk, check="briefing", done_on=today(), note="", by=coordinator
    )
    assert services.renewal_submit(user=family, unchanged=True).valid_until > before


def test_a_pending_or_suspended_family_cannot_renew(coordinator: User) -> None:
    family = pending_family()
    with pytest.raises(RegistryConflict):
        services.renewal_submit(user=family, unchanged=True)
    suspended = factories.HostProfileFactory(standing="suspended").user
    with pytest.raises(RegistryConflict):
        services.renewal_submit(user=suspended, unchanged=True)
    with pytest.raises(PermissionDenied):
        services.renewal_submit(user=coordinator, unchanged=True)


def test_suspension_needs_a_reason_and_overrides_the_approval(
    coordinator: User, host: User
) -> None:
    with pytest.raises(ValidationError) as error:
        services.person_suspend(user_id=host.pk, reason="  ", by=coordinator)
    assert "reason" in error.value.message_dict
    assert status_of(host) == "approved"
    services.person_suspend(user_id=host.pk, reason="complaint under review", by=coordinator)
    assert status_of(host) == "suspended"
    with pytest.raises(RegistryConflict):
        services.person_suspend(user_id=host.pk, reason="again", by=coordinator)
    services.person_reinstate(user_id=host.pk, by=coordinator)
    assert status_of(host) == "approved"


def test_students_are_not_suspended_and_families_not_confirmed(
    coordinator: User, student: User, host: User
) -> None:
    with pytest.raises(RegistryConflict):
        services.person_suspend(user_id=student.pk, reason="x", by=coordinator)
    with pytest.raises(RegistryConflict):
        services.student_confirm(user_id=host.pk, by=coordinator)


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (dt.date(2026, 4, 1), dt.date(2027, 3, 31)),
        (dt.date(2026, 12, 6), dt.date(2027, 3, 31)),
        (dt.date(2027, 1, 15), dt.date(2027, 3, 31)),
        (dt.date(2027, 3, 31), dt.date(2027, 3, 31)),
    ],
)
def test_the_academic_year_ends_before_its_start_month(day: dt.date, end: dt.date) -> None:
    assert selectors.academic_year_end(day, start_month=4) == end
    assert selectors.academic_year_end(day, start_month=9) == (
        dt.date(day.year if day.month < 9 else day.year + 1, 8, 31)
    )


@pytest.fixture
def school() -> PartnerSchool:
    return PartnerSchool.objects.create(
        name_ja="武蔵野国際大学",
        name_en="Musashino International University",
        domains=["mifu.ac.jp"],
    )


def new_student(email: str, *, verified: bool = True) -> User:
    return factories.StudentProfileFactory(
        standing="pending",
        user__email=email,
        user__email_verified_at=timezone.now() if verified else None,
    ).user


def test_a_verified_address_on_the_schools_domain_confirms_at_once(school: PartnerSchool) -> None:
    student = new_student("lan@st.mifu.ac.jp")
    record = services.student_school_choose(user=student, school_id=school.pk)
    assert record.confirmed_via == "domain"
    assert status_of(student) == "confirmed"
    policy_start = selectors.registry_policy().academic_year_start_month
    assert record.valid_until == selectors.academic_year_end(
        today() + dt.timedelta(days=selectors.RENEWAL_WINDOW_DAYS), start_month=policy_start
    )


def test_another_address_waits_for_a_coordinator(school: PartnerSchool, coordinator: User) -> None:
    student = new_student("lan@gmail.example")
    services.student_school_choose(user=student, school_id=school.pk)
    assert status_of(student) == "pending"
    record = services.student_confirm(user_id=student.pk, by=coordinator)
    assert (record.confirmed_via, record.confirmed_by) == ("coordinator", coordinator)
    assert status_of(student) == "confirmed"


def test_a_lookalike_domain_does_not_confirm(school: PartnerSchool) -> None:
    student = new_student("lan@notmifu.ac.jp")
    services.student_school_choose(user=student, school_id=school.pk)
    assert status_of(student) == "pending"


def test_verifying_the_address_later_confirms_the_student(school: PartnerSchool) -> None:
    student = new_student("lan@mifu.ac.jp", verified=False)
    services.student_school_choose(user=student, school_id=school.pk)
    assert status_of(student) == "pending"
    email_verify(token=verification_token(student))
    assert status_of(student) == "confirmed"


def test_choosing_another_school_undoes_the_confirmation(
    school: PartnerSchool, coordinator: User
) -> None:
    other = PartnerSchool.objects.create(name_ja="東京外語", name_en="Tokyo Languages", domains=[])
    student = new_student("lan@gmail.example")
    services.student_school_choose(user=student, school_id=school.pk)
    services.student_confirm(user_id=student.pk, by=coordinator)
    services.student_school_choose(user=student, school_id=other.pk)
    assert status_of(student) == "pending"
    with pytest.raises(ValidationError):
        services.student_school_choose(user=student, school_id=987654)


def test_a_student_renews_by_domain_at_once_or_asks_a_coordinator(
    school: PartnerSchool, coordinator: User
) -> None:
    by_domain = new_student("an@mifu.ac.jp")
    services.student_school_choose(user=by_domain, school_id=school.pk)
    RegistryRecord.objects.filter(user=by_domain).update(valid_until=today() - dt.timedelta(days=1))
    assert status_of(by_domain) == "expired"
    services.renewal_submit(user=by_domain, unchanged=True)
    assert status_of(by_domain) == "confirmed"

    asks = new_student("bo@gmail.example")
    with pytest.raises(RegistryConflict):
        services.renewal_submit(user=asks, unchanged=True)  # no school yet
    services.student_school_choose(user=asks, school_id=school.pk)
    record = services.renewal_submit(user=asks, unchanged=True)
    assert record.renewal_requested_at is not None
    assert status_of(asks) == "pending"
    services.student_confirm(user_id=asks.pk, by=coordinator)
    assert RegistryRecord.objects.get(user=asks).renewal_requested_at is None


def test_the_status_query_agrees_with_the_status_rule(coordinator: User) -> None:
    people = [
        pending_family(),
        factories.HostProfileFactory().user,
        factories.HostProfileFactory(standing="expired").user,
        factories.HostProfileFactory(standing="suspended").user,
        factories.StudentProfileFactory(standing="pending").user,
        factories.StudentProfileFactory().user,
        factories.StudentProfileFactory(standing="expired").user,
    ]
    for status in ("pending", "approved", "confirmed", "expired", "suspended"):
        listed = set(selectors.people(status=status).values_list("pk", flat=True))
        expected = {u.pk for u in people if status_of(u) == status}
        assert listed == expected, status


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 12, 6), 12, dt.date(2027, 12, 6)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 3, 15), -37, dt.date(2023, 2, 15)),
    ],
)
def test_months_after_keeps_the_day_or_the_months_end(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert selectors.months_after(day, months) == expected


def test_deleting_an_account_blanks_what_the_registry_wrote_about_it(coordinator: User) -> None:
    from accounts.deletion import user_delete

    family = factories.HostProfileFactory(standing="pending").user
    services.check_record(
        user_id=family.pk,
        check="pledge",
        done_on=today(),
        note="met the grandmother",
        by=coordinator,
    )
    services.person_suspend(user_id=family.pk, reason="complaint", by=coordinator)
    user_delete(user=family)
    row = CheckRecord.objects.get(user=family)
    assert (row.note, row.done_on) == ("", today())
    assert RegistryRecord.objects.get(user=family).suspended_reason == ""
