"""The visiting-together API through DRF's client: the paths, the shapes, who may call what
(students only; a student who is not one of the two gets 404), and the list's query count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Application, GroupRequest, Program
from matching.services import groups as services
from tests import factories

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]


def student(program: Program, name: str) -> Application:
    user = factories.StudentProfileFactory(user__name=name).user
    return factories.ApplicationFactory(program=program, user=user)


@pytest.fixture
def lan(program: Program) -> Application:
    return student(program, "Nguyen Thi Lan")


@pytest.fixture
def ha(program: Program) -> Application:
    return student(program, "Pham Thu Ha")


def test_inviting_answers_the_request_as_the_inviter_sees_it(
    program: Program, lan: Application, ha: Application, client_for: ClientFor
) -> None:
    answer = client_for(lan.user).post(
        f"/api/programs/{program.pk}/group-requests/",
        {"email": ha.user.email, "relation": "sibling"},
        format="json",
    )
    assert answer.status_code == 201, answer.data
    request = GroupRequest.objects.get()
    assert answer.data == {
        "id": request.pk,
        "program": program.pk,
        "program_name": program.name,
        "relation": "sibling",
        "status": "pending",
        "side": "inviter",
        "partner": {"name": "Pham Thu Ha"},
        "created_at": answer.data["created_at"],
        "answered_at": None,
        "ended_at": None,
    }
    # The invitee sees the same request from the other side, by the inviter's name only.
    seen = client_for(ha.user).get(f"/api/group-requests/{request.pk}/").data
    assert (seen["side"], seen["partner"]) == ("invitee", {"name": "Nguyen Thi Lan"})
    assert lan.user.email not in str(seen)


def test_an_invitation_by_name_and_its_refusals_name_the_field(
    program: Program, lan: Application, ha: Application, client_for: ClientFor
) -> None:
    client = client_for(lan.user)
    path = f"/api/programs/{program.pk}/group-requests/"
    nobody = client.post(path, {"name": "No Such Student"}, format="json")
    assert nobody.status_code == 400 and list(nobody.data) == ["name"]
    bad = client.post(path, {"email": "not-an-address"}, format="json")
    assert bad.status_code == 400 and list(bad.data) == ["email"]
    relation = client.post(path, {"name": "Pham Thu Ha", "relation": "cousin"}, format="json")
    assert relation.status_code == 400 and list(relation.data) == ["relation"]
    assert not GroupRequest.objects.exists()
    made = client.post(path, {"name": "pham thu ha"}, format="json")
    assert made.status_code == 201 and made.data["relation"] == "friend"


def test_confirm_and_decline_through_the_api(
    program: Program, lan: Application, ha: Application, client_for: ClientFor
) -> None:
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    # The inviter cannot answer its own invitation: 409.
    early = client_for(lan.user).post(f"/api/group-requests/{request.pk}/confirm/")
    assert early.status_code == 409 and "detail" in early.data
    confirmed = client_for(ha.user).post(f"/api/group-requests/{request.pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed"
    left = client_for(lan.user).post(f"/api/group-requests/{request.pk}/decline/")
    assert left.status_code == 200 and left.data["status"] == "dissolved"
    again = client_for(ha.user).post(f"/api/group-requests/{request.pk}/decline/")
    assert again.status_code == 409


def test_nobody_but_the_two_students_reaches_a_request(
    program: Program, lan: Application, ha: Application, client_for: ClientFor
) -> None:
    request = services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    stranger = student(program, "Someone Else").user
    host = factories.HostProfileFactory().user
    coordinator = program.created_by
    for suffix, method in (("", "get"), ("confirm/", "post"), ("decline/", "post")):
        path = f"/api/group-requests/{request.pk}/{suffix}"
        assert getattr(client_for(stranger), method)(path).status_code == 404
        assert (
            getattr(client_for(stranger), method)(
                f"/api/group-requests/987654/{suffix}"
            ).status_code
            == 404
        )
        for other in (host, coordinator):
            assert getattr(client_for(other), method)(path).status_code == 403
        assert getattr(client_for(None), method)(path).status_code == 401
    for other in (host, coordinator):
        assert client_for(other).get("/api/group-requests/").status_code == 403
        invite = client_for(other).post(
            f"/api/programs/{program.pk}/group-requests/", {"email": ha.user.email}
        )
        assert invite.status_code == 403
    assert client_for(stranger).get("/api/group-requests/").data == []
    request.refresh_from_db()
    assert request.status == GroupRequest.Status.PENDING


def test_the_list_runs_the_same_queries_for_one_request_or_many(
    program: Program,
    coordinator: User,
    lan: Application,
    client_for: ClientFor,
    django_assert_num_queries: Any,
) -> None:
    client = client_for(lan.user)

    def invite_in_a_new_programme() -> None:
        other = factories.ProgramFactory(created_by=coordinator)
        mine = factories.ApplicationFactory(program=other, user=lan.user)
        friend = student(other, "A Friend")
        request = services.group_request_create(program=other, by=lan.user, email=friend.user.email)
        assert request.inviter == mine

    invite_in_a_new_programme()
    client.get("/api/group-requests/")  # warm the token's last-use write
    with CaptureQueriesContext(connection) as few:
        one = client.get("/api/group-requests/")
    # The token, its user, the requests with both students and the programme.
    assert len(few) <= 4
    for _ in range(4):
        invite_in_a_new_programme()
    with django_assert_num_queries(len(few)):
        many = client.get("/api/group-requests/")
    assert (len(one.data), len(many.data)) == (1, 5)


def test_not_alone_goes_in_with_the_application_and_comes_back(
    program: Program, client_for: ClientFor
) -> None:
    user = factories.StudentProfileFactory().user
    answer = client_for(user).post(
        f"/api/programs/{program.pk}/apply/",
        {"dates": program.dates, "not_alone": True},
        format="json",
    )
    assert answer.status_code == 201, answer.data
    assert answer.data["not_alone"] is True
    mine = client_for(user).get(f"/api/programs/{program.pk}/").data["my_application"]
    assert mine["not_alone"] is True
    host = factories.HostProfileFactory().user
    refused = client_for(host).post(
        f"/api/programs/{program.pk}/apply/",
        {"dates": program.dates, "capacity": 2, "not_alone": True},
        format="json",
    )
    assert refused.status_code == 400 and list(refused.data) == ["not_alone"]
