"""What the registry means for matching: a round places only approved families and confirmed
students and lists the others with the reason ``registry_status``; publishing skips a pair
whose side lost its standing since; the renewal reminders go out 30 and 7 days ahead, once
each, in the person's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import RegistryRecord, User
from accounts.registry import services as registry_services
from frontend.views.coordinator.reasons import reason_text
from matching.models import Application, Delivery, Program, Proposal, Round
from matching.selectors.rounds import applications_for_round
from matching.services.proposals import round_publish
from matching.services.registry import renewal_reminders_send
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MakeApp = Callable[..., Application]


def today() -> dt.date:
    return timezone.localdate()


def test_a_round_places_only_approved_families_and_confirmed_students(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: Callable[..., Round],
) -> None:
    confirmed = make_student(program)
    unconfirmed = make_student(program, standing="pending")
    lapsed_student = make_student(program, standing="expired")
    approved = make_host(program, seats=3)
    families = {
        "pending": make_host(program, seats=3, standing="pending"),
        "expired": make_host(program, seats=3, standing="expired"),
        "suspended": make_host(program, seats=3, standing="suspended"),
    }
    rnd = run_rounds(program, coordinator)
    assert rnd.status == Round.Status.DRAFT, rnd.error
    pairs = set(rnd.proposals.values_list("student_application_id", "host_application_id"))
    assert {s for s, _ in pairs} == {confirmed.pk}
    assert {h for _, h in pairs} == {approved.pk}
    reasons = {u.application_id: u.reasons for u in rnd.unplaced.all()}
    for app, status in [
        (unconfirmed, "pending"),
        (lapsed_student, "expired"),
        *((app, status) for status, app in families.items()),
    ]:
        assert reasons[app.pk][0]["code"] == "registry_status"
        assert reasons[app.pk][0]["params"] == {"status": status}
    assert rnd.stats["ineligible"] == 5


def test_the_reason_reads_in_each_language(program: Program) -> None:
    reason = {"code": "registry_status", "params": {"status": "suspended"}, "text": ""}
    with translation.override("en"):
        assert reason_text(reason, "host") == (
            "The family is not approved for hosting (its registration is suspended)."
        )
        assert "partner school" in reason_text(
            {**reason, "params": {"status": "pending"}}, "student"
        )
    with translation.override("ja"):
        text = reason_text(reason, "host")
        assert "停止" in text and "suspended" not in text


def test_the_pool_reads_the_registry_in_the_same_six_queries(
    program: Program,
    make_student: MakeApp,
    make_host: MakeApp,
    django_assert_num_queries: Any,
) -> None:
    for standing in ("confirmed", "pending", "expired"):
        make_student(program, standing=standing)
    for standing in ("approved", "pending", "suspended"):
        make_host(program, standing=standing)
    with django_assert_num_queries(6):
        pool = applications_for_round(program=program)
    assert (len(pool.students), len(pool.hosts), len(pool.ineligible)) == (1, 1, 4)


def test_publishing_skips_a_pair_whose_family_was_suspended_since(
    program: Program,
    coordinator: User,
    make_student: MakeApp,
    make_host: MakeApp,
    run_rounds: Callable[..., Round],
) -> None:
    make_student(program)
    host = make_host(program)
    rnd = run_rounds(program, coordinator)
    assert rnd.proposals.count() == 1
    registry_services.person_suspend(user_id=host.user_id, reason="x", by=coordinator)
    result = round_publish(round_id=rnd.pk, by=coordinator)
    assert result.published == []
    assert [s["reason"] for s in result.skipped] == ["registry_status"]


def _reminded(user: User) -> list[str]:
    return list(
        Delivery.objects.filter(user=user, kind=Delivery.Kind.RENEWAL).values_list("key", flat=True)
    )


def test_reminders_go_out_thirty_and_seven_days_ahead_once_each(
    django_capture_on_commit_callbacks: Any,
) -> None:
    family = factories.HostProfileFactory(user__preferred_language="ja").user
    student = factories.StudentProfileFactory(user__preferred_language="en").user
    ends = today() + dt.timedelta(days=30)
    RegistryRecord.objects.filter(user__in=[family, student]).update(valid_until=ends)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        renewal_reminders_send(today=today())
    assert _reminded(family) == [f"renewal:{ends.isoformat()}:30"]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {family.email, student.email}
    assert "更新" in by_address[family.email].subject
    assert "renew" in by_address[student.email].subject
    assert "/registration/" in by_address[student.email].body
    # The next day's run sends nothing more; 7 days ahead the second reminder goes.
    with django_capture_on_commit_callbacks(execute=True):
        renewal_reminders_send(today=today() + dt.timedelta(days=1))
        renewal_reminders_send(today=today() + dt.timedelta(days=23))
        renewal_reminders_send(today=today() + dt.timedelta(days=24))
    assert sorted(_reminded(family)) == sorted(
        [f"renewal:{ends.isoformat()}:30", f"renewal:{ends.isoformat()}:7"]
    )
    assert len(mail.outbox) == 4


def test_no_reminder_for_pending_suspended_or_far_off_people(
    django_capture_on_commit_callbacks: Any,
) -> None:
    soon = today() + dt.timedelta(days=10)
    pending = factories.HostProfileFactory(standing="pending").user
    suspended = factories.HostProfileFactory(standing="suspended").user
    far = factories.HostProfileFactory().user
    RegistryRecord.objects.filter(user=suspended).update(valid_until=soon)
    RegistryRecord.objects.create(user=pending, valid_until=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert renewal_reminders_send(today=today()) == []
    assert not Delivery.objects.filter(user__in=[pending, suspended, far]).exists()


def test_a_reminder_of_someone_who_renewed_meanwhile_is_not_sent(
    django_capture_on_commit_callbacks: Any,
) -> None:
    family = factories.HostProfileFactory().user
    ends = today() + dt.timedelta(days=7)
    RegistryRecord.objects.filter(user=family).update(valid_until=ends)
    with django_capture_on_commit_callbacks(execute=False):
        (delivery_id,) = renewal_reminders_send(today=today())
    RegistryRecord.objects.filter(user=family).update(valid_until=ends + dt.timedelta(days=365))
    from matching.services.deliveries import delivery_send

    mail.outbox.clear()
    assert delivery_send(delivery_id=delivery_id) is False
    assert mail.outbox == []


def test_suspension_leaves_past_visits_alone(coordinator: User) -> None:
    past = factories.ProposalFactory(status=Proposal.Status.CONFIRMED)
    Proposal.objects.filter(pk=past.pk).update(date=today() - dt.timedelta(days=3))
    registry_services.person_suspend(
        user_id=past.host_application.user_id, reason="x", by=coordinator
    )
    past.refresh_from_db()
    assert past.status == Proposal.Status.CONFIRMED
