"""accounts.api.parsers: a body nested too deep is a JSON 400, one too large a JSON 413, and
neither stores anything (issue 19 item 7)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("path", ["/api/auth/register/", "/api/auth/token/"])
def test_a_deeply_nested_body_is_a_400(api: APIClient, path: str) -> None:
    users = User.objects.count()
    answer = api.post(path, DEEP, content_type="application/json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["detail"]
    assert User.objects.count() == users


def test_a_deeply_nested_profile_change_is_a_400_and_changes_nothing(
    client_for: Callable[[User | None], APIClient], student: User
) -> None:
    name = student.name
    answer = client_for(student).patch("/api/me/", DEEP, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["detail"]
    student.refresh_from_db()
    assert student.name == name


def test_an_oversized_body_is_a_json_413(api: APIClient) -> None:
    body = json.dumps({"email": "x" * (3 * 1024 * 1024), "password": "p"})
    answer = api.post("/api/auth/register/", body, content_type="application/json")
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["detail"]
    assert not User.objects.filter(email__startswith="xxx").exists()


def test_a_body_within_the_limit_still_parses(api: APIClient) -> None:
    answer = api.post("/api/auth/token/", {"email": "a@example.org"}, format="json")
    assert answer.status_code == 400
    assert "password" in answer.json()
