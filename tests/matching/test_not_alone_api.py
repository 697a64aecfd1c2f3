"""A student's application changed through the API (``PATCH /api/programs/{id}/apply/``: the
"not alone" wish, nothing else) and the coordinators' list of applications naming each
student's group and wish, which nobody else reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Application, Program, Proposal
from matching.services import groups as group_services
from tests import factories

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]


def _student(program: Program, name: str) -> Application:
    user = factories.StudentProfileFactory(user__name=name).user
    return factories.ApplicationFactory(program=program, user=user)


def _patch(client: APIClient, program: Program, body: Any) -> Any:
    return client.patch(f"/api/programs/{program.pk}/apply/", body, format="json")


def test_the_student_turns_not_alone_on_and_off(program: Program, client_for: ClientFor) -> None:
    mine = _student(program, "Nguyen Thi Lan")
    client = client_for(mine.user)
    on = _patch(client, program, {"not_alone": True})
    assert on.status_code == 200, on.data
    assert (on.data["id"], on.data["not_alone"], on.data["status"]) == (mine.pk, True, "active")
    shown = client.get(f"/api/programs/{program.pk}/").data["my_application"]
    assert shown["not_alone"] is True
    off = _patch(client, program, {"not_alone": False})
    assert off.status_code == 200 and off.data["not_alone"] is False
    assert Application.objects.get(pk=mine.pk).not_alone is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"not_alone": "perhaps"}, "not_alone"),
        ({"not_alone": None}, "not_alone"),
        ({}, "not_alone"),
        ({"not_alone": True, "dates": ["2030-01-01"]}, "dates"),
        ({"not_alone": True, "status": "withdrawn"}, "status"),
        (["not_alone"], "detail"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    program: Program, client_for: ClientFor, body: Any, field: str
) -> None:
    mine = _student(program, "Nguyen Thi Lan")
    answer = _patch(client_for(mine.user), program, body)
    assert answer.status_code == 400
    assert list(answer.data) == [field]
    unchanged = Application.objects.get(pk=mine.pk)
    assert (unchanged.not_alone, unchanged.status, unchanged.dates) == (
        False,
        Application.Status.ACTIVE,
        mine.dates,
    )


def test_refusals_by_role_and_state_name_their_field(
    program: Program, client_for: ClientFor
) -> None:
    family = factories.HostApplicationFactory(program=program, seats=2)
    refused = _patch(client_for(family.user), program, {"not_alone": True})
    assert refused.status_code == 400 and list(refused.data) == ["not_alone"]
    proposed = _student(program, "Pham Thu Ha")
    factories.ProposalFactory(
        program=program,
        round__program=program,
        student_application=proposed,
        host_application=family,
        status=Proposal.Status.CONFIRMED,
    )
    busy = _patch(client_for(proposed.user), program, {"not_alone": True})
    assert busy.status_code == 400 and list(busy.data) == ["application"]
    assert Application.objects.get(pk=proposed.pk).not_alone is False
    # No application in the programme: 404; a coordinator: 403.
    stranger = factories.StudentProfileFactory().user
    assert _patch(client_for(stranger), program, {"not_alone": True}).status_code == 404
    coordinator = client_for(program.created_by)
    assert _patch(coordinator, program, {"not_alone": True}).status_code == 403


def test_coordinators_see_each_students_group_and_wish(
    program: Program, client_for: ClientFor
) -> None:
    lan, ha = _student(program, "Nguyen Thi Lan"), _student(program, "Pham Thu Ha")
    mai, tuan = _student(program, "Tran Mai"), _student(program, "Le Tuan")
    alone = _student(program, "Kim Minji")
    Application.objects.filter(pk=alone.pk).update(not_alone=True)
    confirmed = group_services.group_request_create(
        program=program, by=lan.user, email=ha.user.email, relation="sibling"
    )
    group_services.group_request_confirm(request_id=confirmed.pk, by=ha.user)
    pending = group_services.group_request_create(program=program, by=mai.user, name="le tuan")
    rows = {
        row["id"]: row
        for row in client_for(program.created_by)
        .get(f"/api/programs/{program.pk}/applications/")
        .data
    }
    assert rows[lan.pk]["group"] == {
        "id": confirmed.pk,
        "status": "confirmed",
        "relation": "sibling",
        "side": "inviter",
        "partner": {"application": ha.pk, "user": ha.user_id, "name": "Pham Thu Ha"},
    }
    assert rows[ha.pk]["group"]["side"] == "invitee"
    assert rows[ha.pk]["group"]["partner"]["name"] == "Nguyen Thi Lan"
    assert (rows[mai.pk]["group"]["status"], rows[mai.pk]["group"]["side"]) == (
        "pending",
        "inviter",
    )
    assert rows[tuan.pk]["group"]["id"] == pending.pk
    assert rows[alone.pk]["group"] is None and rows[alone.pk]["not_alone"] is True
    # An ended invitation is no group.
    group_services.group_request_decline(request_id=pending.pk, by=tuan.user)
    again = client_for(program.created_by).get(f"/api/programs/{program.pk}/applications/")
    assert {row["id"]: row["group"] for row in again.data}[tuan.pk] is None


def test_no_student_reads_another_students_group(program: Program, client_for: ClientFor) -> None:
    lan, ha = _student(program, "Nguyen Thi Lan"), _student(program, "Pham Thu Ha")
    request = group_services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    group_services.group_request_confirm(request_id=request.pk, by=ha.user)
    stranger = client_for(_student(program, "Someone Else").user)
    assert stranger.get(f"/api/programs/{program.pk}/applications/").status_code == 403
    assert stranger.get(f"/api/group-requests/{request.pk}/").status_code == 404
    assert stranger.get("/api/group-requests/").data == []
    # The stranger's own programme and application name neither student of the group.
    own = stranger.get(f"/api/programs/{program.pk}/").content.decode()
    assert "Nguyen Thi Lan" not in own and "Pham Thu Ha" not in own
    assert "group" not in stranger.get(f"/api/programs/{program.pk}/").data["my_application"]
    family = client_for(factories.HostApplicationFactory(program=program).user)
    assert family.get(f"/api/programs/{program.pk}/applications/").status_code == 403
