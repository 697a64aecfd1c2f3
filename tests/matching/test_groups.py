"""Visiting together, on the database: inviting a student of the same programme by e-mail or
name, confirming, declining, leaving, withdrawing; what each change tells the other student
(e-mail and live event, in their language, on commit); the "not alone" wish on applying."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, User
from matching.models import Application, Delivery, GroupRequest, Program
from matching.services import groups as services
from matching.services.programs import application_submit, application_withdraw
from matching.signals import live_event
from tests import factories
from tests.matching.conftest import future_dates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def live_events() -> Iterator[list[tuple[list[int], dict[str, Any]]]]:
    sent: list[tuple[list[int], dict[str, Any]]] = []

    def receive(sender: Any, *, user_ids: list[int], event: dict[str, Any], **kwargs: Any) -> None:
        sent.append((user_ids, event))

    live_event.connect(receive, dispatch_uid="test.group_events")
    yield sent
    live_event.disconnect(dispatch_uid="test.group_events")


def student(program: Program, name: str = "", language: str = "en", **app: Any) -> Application:
    user = factories.StudentProfileFactory(
        user__preferred_language=language, **({"user__name": name} if name else {})
    ).user
    app.setdefault("dates", list(program.dates))
    return factories.ApplicationFactory(program=program, user=user, **app)


@pytest.fixture
def pair(program: Program) -> tuple[Application, Application]:
    return student(program, "Nguyen Thi Lan"), student(program, "Pham Thu Ha", language="ja")


def test_a_student_invites_a_friend_by_e_mail_who_is_told_on_commit_in_their_language(
    program: Program,
    pair: tuple[Application, Application],
    live_events: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    lan, ha = pair
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = services.group_request_create(
            program=program, by=lan.user, email=ha.user.email.upper()
        )
        assert live_events == [] and mail.outbox == []  # nothing before the commit
    assert callbacks
    assert (request.inviter, request.invitee, request.status) == (lan, ha, "pending")
    delivery = Delivery.objects.get(user=ha.user)
    assert delivery.kind == Delivery.Kind.GROUP_INVITED
    [(users, event)] = live_events
    assert users == [ha.user.pk]
    assert event["kind"] == "group.invited"
    assert event["url"] == f"/programmes/{program.pk}/"
    assert "Nguyen Thi Lan" in event["title"] and "一緒" in event["title"]
    [message] = mail.outbox
    assert message.to == [ha.user.email]
    assert "Nguyen Thi Lan" in message.subject
    assert "一緒" in message.body and f"/programmes/{program.pk}/" in message.body


def test_a_friend_is_found_by_name_in_any_case_and_spacing(
    program: Program, pair: tuple[Application, Application]
) -> None:
    lan, ha = pair
    request = services.group_request_create(program=program, by=lan.user, name="  pham  THU ha ")
    assert request.invitee == ha


@pytest.mark.parametrize(
    ("who", "field"),
    [
        ({"email": "nobody@example.org"}, "email"),
        ({"name": "Nobody Here"}, "name"),
        ({}, "email"),
        ({"email": "x@example.org", "name": "Pham Thu Ha"}, "email"),
    ],
)
def test_an_invitation_names_one_student_of_the_programme_or_is_refused(
    program: Program, pair: tuple[Application, Application], who: dict[str, str], field: str
) -> None:
    lan, _ha = pair
    with pytest.raises(ValidationError) as error:
        services.group_request_create(program=program, by=lan.user, **who)
    assert field in error.value.message_dict
    assert GroupRequest.objects.count() == 0


def test_students_of_another_programme_or_withdrawn_are_not_found(
    program: Program, coordinator: User, pair: tuple[Application, Application]
) -> None:
    lan, ha = pair
    other = factories.ProgramFactory(created_by=coordinator, dates=program.dates)
    elsewhere = student(other, "Someone Else")
    ha.status = Application.Status.WITHDRAWN
    ha.save()
    for email in (elsewhere.user.email, ha.user.email):
        with pytest.raises(ValidationError, match="must apply to the same programme"):
            services.group_request_create(program=program, by=lan.user, email=email)


def test_oneself_a_namesake_and_no_shared_day_are_refused(program: Program) -> None:
    lan = student(program, "Lan")
    with pytest.raises(ValidationError, match="yourself"):
        services.group_request_create(program=program, by=lan.user, email=lan.user.email)
    student(program, "Twin Name")
    student(program, "Twin Name")
    with pytest.raises(ValidationError, match="Several students"):
        services.group_request_create(program=program, by=lan.user, name="Twin Name")
    first_only = student(program, "First Only", dates=program.dates[:1])
    second_only = student(program, "Second Only", dates=program.dates[1:])
    with pytest.raises(ValidationError, match="no day in common") as error:
        services.group_request_create(
            program=program, by=first_only.user, email=second_only.user.email
        )
    assert "dates" in error.value.message_dict


def test_only_a_student_who_applied_to_an_open_home_visit_invites(
    program: Program, coordinator: User, pair: tuple[Application, Application]
) -> None:
    lan, ha = pair
    host = factories.HostProfileFactory().user
    with pytest.raises(PermissionDenied):
        services.group_request_create(program=program, by=host, email=ha.user.email)
    outsider = factories.StudentProfileFactory().user
    with pytest.raises(ValidationError, match="Apply to this programme first"):
        services.group_request_create(program=program, by=outsider, email=ha.user.email)
    exchange = factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=program.dates
    )
    a, b = student(exchange), student(exchange)
    with pytest.raises(ValidationError, match="home visits"):
        services.group_request_create(program=exchange, by=a.user, email=b.user.email)
    program.status = Program.Status.CLOSED
    program.save()
    with pytest.raises(ValidationError, match="closed"):
        services.group_request_create(program=program, by=lan.user, email=ha.user.email)


def test_each_student_is_in_one_live_request_per_programme(
    program: Program, pair: tuple[Application, Application]
) -> None:
    lan, ha = pair
    third = student(program, "Third Person")
    services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    # Neither the inviter nor the invitee can be in a second one, on either side.
    with pytest.raises(ValidationError, match="You already have"):
        services.group_request_create(program=program, by=lan.user, email=third.user.email)
    with pytest.raises(ValidationError, match="already has an invitation"):
        services.group_request_create(program=program, by=third.user, email=ha.user.email)
    with pytest.raises(ValidationError, match="You already have"):
        services.group_request_create(program=program, by=ha.user, email=third.user.email)
    assert GroupRequest.objects.count() == 1


def test_the_invitee_confirms_and_the_inviter_is_told(
    program: Program,
    pair: tuple[Application, Application],
    live_events: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    lan, ha = pair
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    live_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.group_request_confirm(request_id=request.pk, by=ha.user)
    assert confirmed.status == GroupRequest.Status.CONFIRMED
    assert confirmed.answered_at is not None
    [(users, event)] = live_events
    assert users == [lan.user.pk] and event["kind"] == "group.confirmed"
    assert "Pham Thu Ha" in event["title"]
    assert Delivery.objects.filter(kind=Delivery.Kind.GROUP_CONFIRMED, user=lan.user).exists()


def test_only_the_invitee_confirms_once_and_others_do_not_see_it(
    program: Program, pair: tuple[Application, Application]
) -> None:
    lan, ha = pair
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    with pytest.raises(services.GroupConflict):
        services.group_request_confirm(request_id=request.pk, by=lan.user)
    stranger = student(program).user
    with pytest.raises(services.GroupRequestNotFound):
        services.group_request_confirm(request_id=request.pk, by=stranger)
    with pytest.raises(services.GroupRequestNotFound):
        services.group_request_decline(request_id=request.pk, by=stranger)
    services.group_request_confirm(request_id=request.pk, by=ha.user)
    with pytest.raises(services.GroupConflict):
        services.group_request_confirm(request_id=request.pk, by=ha.user)


@pytest.mark.parametrize(
    ("confirm_first", "who", "status"),
    [
        (False, "invitee", GroupRequest.Status.DECLINED),
        (False, "inviter", GroupRequest.Status.CANCELLED),
        (True, "invitee", GroupRequest.Status.DISSOLVED),
        (True, "inviter", GroupRequest.Status.DISSOLVED),
    ],
)
def test_either_student_ends_it_and_the_other_is_told(
    program: Program,
    pair: tuple[Application, Application],
    live_events: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
    confirm_first: bool,
    who: str,
    status: str,
) -> None:
    lan, ha = pair
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    if confirm_first:
        services.group_request_confirm(request_id=request.pk, by=ha.user)
    by, other = (ha.user, lan.user) if who == "invitee" else (lan.user, ha.user)
    live_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ended = services.group_request_decline(request_id=request.pk, by=by)
    assert (ended.status, ended.ended_by) == (status, by)
    [(users, event)] = live_events
    assert users == [other.pk] and event["kind"] == "group.ended"
    with pytest.raises(services.GroupConflict):
        services.group_request_decline(request_id=request.pk, by=other)
    # Ended, it no longer keeps either from a new invitation.
    again = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    assert again.status == GroupRequest.Status.PENDING


def test_withdrawing_an_application_dissolves_its_group(
    program: Program,
    pair: tuple[Application, Application],
    live_events: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    lan, ha = pair
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    services.group_request_confirm(request_id=request.pk, by=ha.user)
    live_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=ha, by=ha.user)
    request.refresh_from_db()
    assert request.status == GroupRequest.Status.DISSOLVED
    assert request.ended_by == ha.user
    [(users, event)] = live_events
    assert users == [lan.user.pk] and event["kind"] == "group.ended"
    body = next(m.body for m in mail.outbox if m.to == [lan.user.email])
    assert "no longer visiting together" in body


def test_a_confirmation_after_a_proposal_is_refused(
    program: Program, pair: tuple[Application, Application], make_host: Any
) -> None:
    lan, ha = pair
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    factories.ProposalFactory(
        program=program,
        round=factories.RoundFactory(program=program, created_by=program.created_by),
        student_application=lan,
        host_application=make_host(program),
        status="proposed",
    )
    with pytest.raises(services.GroupConflict, match="already proposed"):
        services.group_request_confirm(request_id=request.pk, by=ha.user)
    with pytest.raises(ValidationError, match="already proposed"):
        services.group_request_create(program=program, by=ha.user, email=lan.user.email)


def test_an_invitation_answered_before_its_e_mail_left_sends_none(
    program: Program,
    pair: tuple[Application, Application],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    lan, ha = pair
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
        services.group_request_decline(request_id=request.pk, by=ha.user)
    for callback in callbacks:
        callback()
    # The decline's e-mail to the inviter goes; the invitation to the invitee does not.
    assert [m.to for m in mail.outbox] == [[lan.user.email]]


def test_not_alone_is_a_wish_of_a_home_visit_student(program: Program, coordinator: User) -> None:
    user = factories.StudentProfileFactory().user
    dates = future_dates(30)
    application = application_submit(program=program, user=user, dates=dates, not_alone=True)
    assert application.not_alone is True
    host = factories.HostProfileFactory().user
    assert host.role == Role.HOST
    with pytest.raises(ValidationError) as error:
        application_submit(program=program, user=host, dates=dates, capacity=2, not_alone=True)
    assert "not_alone" in error.value.message_dict
    assert not Application.objects.filter(user=host).exists()
