"""GET and PATCH /api/me/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db

URL = "/api/me/"


def test_me_has_the_documented_shape_and_no_profile_until_filled(
    client_for: Callable[[User | None], APIClient], fresh_student: User
) -> None:
    answer = client_for(fresh_student).get(URL)
    assert answer.status_code == 200
    assert answer.json() == {
        "id": fresh_student.pk,
        "email": "fresh.student@example.org",
        "role": "student",
        "name": "Lan Nguyen",
        "preferred_language": "ja",
        "profile": None,
        "email_verified": False,
        "registration": {
            "status": "pending",
            "valid_until": None,
            "school": None,
            "renewal_requested": False,
        },
    }


def test_me_carries_the_profile_once_filled(
    client_for: Callable[[User | None], APIClient], host: User
) -> None:
    profile = client_for(host).get(URL).json()["profile"]
    assert profile["household_name"] == host.host_profile.household_name
    assert profile["is_complete"] is True
    assert profile["missing"] == []


def test_a_coordinator_has_no_profile(
    client_for: Callable[[User | None], APIClient], coordinator: User
) -> None:
    answer = client_for(coordinator).get(URL)
    assert answer.json()["role"] == "coordinator"
    assert answer.json()["profile"] is None


def test_anonymous_is_refused(api: APIClient) -> None:
    assert api.get(URL).status_code == 401


def test_patch_changes_name_and_language(
    client_for: Callable[[User | None], APIClient], fresh_student: User
) -> None:
    answer = client_for(fresh_student).patch(
        URL, {"name": "Nguyễn Thị Lan", "preferred_language": "en"}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["name"] == "Nguyễn Thị Lan"
    assert answer.json()["preferred_language"] == "en"
    fresh_student.refresh_from_db()
    assert (fresh_student.name, fresh_student.preferred_language) == ("Nguyễn Thị Lan", "en")


def test_patch_of_one_field_keeps_the_other(
    client_for: Callable[[User | None], APIClient], fresh_student: User
) -> None:
    client_for(fresh_student).patch(URL, {"preferred_language": "en"})
    fresh_student.refresh_from_db()
    assert fresh_student.name == "Lan Nguyen"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_bad_patch_is_named_and_changes_nothing(
    client_for: Callable[[User | None], APIClient], fresh_student: User, data: dict, field: str
) -> None:
    answer = client_for(fresh_student).patch(URL, data)
    assert answer.status_code == 400
    assert field in answer.json()
    fresh_student.refresh_from_db()
    assert (fresh_student.name, fresh_student.preferred_language) == ("Lan Nguyen", "ja")


def test_role_and_email_cannot_be_changed_through_me(
    client_for: Callable[[User | None], APIClient], fresh_student: User
) -> None:
    answer = client_for(fresh_student).patch(
        URL, {"name": "Lan", "role": "coordinator", "email": "x@example.org"}
    )
    assert answer.status_code == 400
    assert {"role", "email"} <= set(answer.json())
    fresh_student.refresh_from_db()
    assert (fresh_student.name, fresh_student.role) == ("Lan Nguyen", "student")
    assert fresh_student.email == "fresh.student@example.org"
