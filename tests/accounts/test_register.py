"""POST /api/auth/register/: 201 with the account, or a 400 naming the field and no account."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.conftest import STRONG_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/api/auth/register/"


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "Nguyen.Lan@Example.org",
        "password": STRONG_PASSWORD,
        "role": "student",
        "name": "Nguyen Thi Lan",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def refused(api: APIClient, data: dict[str, Any], field: str) -> dict[str, Any]:
    """Post, expect a 400 naming ``field``, and check nothing was stored."""
    before = User.objects.count()
    answer = api.post(URL, data, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json(), answer.json()
    assert all(isinstance(m, str) and m for m in answer.json()[field])
    assert User.objects.count() == before
    return answer.json()


def test_student_registers_and_gets_the_documented_shape(api: APIClient, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    answer = api.post(URL, body(preferred_language="en"), format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert set(data) == {"id", "email", "role", "name", "preferred_language"}
    user = User.objects.get(pk=data["id"])
    assert data == {
        "id": user.pk,
        "email": "nguyen.lan@example.org",
        "role": "student",
        "name": "Nguyen Thi Lan",
        "preferred_language": "en",
    }
    assert user.check_password(STRONG_PASSWORD)
    assert user.password.startswith("argon2")
    assert not user.is_staff and not user.is_superuser


def test_host_registers_with_japanese_by_default(api: APIClient) -> None:
    answer = api.post(URL, body(role="host", name="佐藤 花子"), format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["role"] == "host"
    assert answer.json()["preferred_language"] == "ja"


@pytest.mark.parametrize("email", ["not-an-email", "lan@", "@example.org", "lan@example", ""])
def test_bad_email_is_refused(api: APIClient, email: str) -> None:
    refused(api, body(email=email), "email")


@pytest.mark.parametrize(
    "password",
    ["short1", "password123", "1234567890123", "nguyen.lan@example"],
    ids=["too-short", "common", "numeric", "like-the-email"],
)
def test_weak_password_is_refused(api: APIClient, password: str) -> None:
    refused(api, body(password=password), "password")


@pytest.mark.parametrize("email", ["nguyen.lan@example.org", "NGUYEN.LAN@EXAMPLE.ORG"])
def test_taken_email_is_refused_whatever_its_case(api: APIClient, email: str) -> None:
    assert api.post(URL, body(), format="json").status_code == 201
    refused(api, body(email=email, name="Someone Else"), "email")
    answer = api.post(URL, body(email=email), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "already" in answer.json()["email"][0]


def test_nobody_self_registers_as_coordinator(api: APIClient) -> None:
    refused(api, body(role="coordinator"), "role")
    assert not User.objects.filter(role="coordinator").exists()


@pytest.mark.parametrize("role", ["admin", "Student", "", "host family"])
def test_unknown_role_is_refused(api: APIClient, role: str) -> None:
    refused(api, body(role=role), "role")


@pytest.mark.parametrize("field", ["email", "password", "role", "name"])
def test_missing_field_is_named(api: APIClient, field: str) -> None:
    data = body()
    del data[field]
    refused(api, data, field)


def test_blank_name_is_refused(api: APIClient) -> None:
    refused(api, body(name="   "), "name")


def test_unknown_preferred_language_is_refused(api: APIClient) -> None:
    refused(api, body(preferred_language="fr"), "preferred_language")
    refused(api, body(preferred_language="ja_Easy"), "preferred_language")


@pytest.mark.parametrize("language", ["ja", "en", "ja-easy", "zh-hans", "vi", "ne", "ko"])
def test_each_interface_language_may_be_chosen(api: APIClient, language: str) -> None:
    answer = api.post(URL, body(preferred_language=language), format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["preferred_language"] == language


def test_every_bad_field_is_named_at_once(api: APIClient) -> None:
    errors = refused(api, body(email="nope", role="coordinator", password="short"), "email")
    assert {"email", "role", "password"} <= set(errors)


def test_wrong_types_are_refused(api: APIClient) -> None:
    refused(api, body(email=["a@example.org"]), "email")
    refused(api, body(name={"first": "Lan"}), "name")


def test_a_session_cookie_is_not_needed(api: APIClient) -> None:
    # Registration is open to anyone: no CSRF token, no authentication.
    client = APIClient(enforce_csrf_checks=True)
    assert client.post(URL, body(), format="json").status_code == 201
