"""POST /api/auth/token/: a token for good credentials, 400 for bad ones, 429 once locked out."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.conftest import STRONG_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/api/auth/token/"


@pytest.fixture
def lan(db: None) -> User:
    return User.objects.create_user(
        "lan@example.org", STRONG_PASSWORD, name="Nguyen Thi Lan", role="student"
    )


def test_good_credentials_get_a_token_that_authenticates(api: APIClient, lan: User) -> None:
    answer = api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD})
    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == {"token"}
    api.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert api.get("/api/me/").json()["email"] == "lan@example.org"


def test_the_email_is_matched_whatever_its_case(api: APIClient, lan: User) -> None:
    answer = api.post(URL, {"email": " LAN@Example.ORG ", "password": STRONG_PASSWORD})
    assert answer.status_code == 200, answer.content


def test_each_login_gets_its_own_token(api: APIClient, lan: User) -> None:
    """So that logging one client out leaves the others logged in."""
    first = api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD}).json()
    second = api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD}).json()
    assert first["token"] != second["token"]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("lan@example.org", "not-the-password"),
        ("nobody@example.org", STRONG_PASSWORD),
    ],
    ids=["wrong-password", "unknown-email"],
)
def test_bad_credentials_are_a_400(api: APIClient, lan: User, email: str, password: str) -> None:
    answer = api.post(URL, {"email": email, "password": password})
    assert answer.status_code == 400
    assert "detail" in answer.json()
    assert "token" not in answer.json()


def test_an_inactive_account_cannot_log_in(api: APIClient, lan: User) -> None:
    lan.is_active = False
    lan.save()
    answer = api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD})
    assert answer.status_code == 400


@pytest.mark.parametrize("missing", ["email", "password"])
def test_a_missing_field_is_named(api: APIClient, lan: User, missing: str) -> None:
    data = {"email": "lan@example.org", "password": STRONG_PASSWORD}
    del data[missing]
    answer = api.post(URL, data)
    assert answer.status_code == 400
    assert missing in answer.json()


def test_the_sixth_failure_in_a_row_is_locked_out(api: APIClient, lan: User) -> None:
    for attempt in range(5):
        answer = api.post(URL, {"email": "lan@example.org", "password": f"wrong-{attempt}"})
        assert answer.status_code == 400, (attempt, answer.content)
    sixth = api.post(URL, {"email": "LAN@example.org", "password": "wrong-again"})
    assert sixth.status_code == 429
    assert "detail" in sixth.json()
    # Locked means locked: the right password does not get through for the next 15 minutes.
    right = api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD})
    assert right.status_code == 429
    # Counted in the database (django-axes' database handler), keyed by the account.
    assert AccessAttempt.objects.filter(username="lan@example.org").exists()


def test_failures_expire_after_the_cool_off(api: APIClient, lan: User) -> None:
    for attempt in range(6):
        api.post(URL, {"email": "lan@example.org", "password": f"wrong-{attempt}"})
    assert api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD}).status_code == (
        429
    )
    from datetime import timedelta

    from django.utils import timezone

    # Back-date the failures past the 15-minute cool-off.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    answer = api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD})
    assert answer.status_code == 200, answer.content


def test_a_success_resets_the_count(api: APIClient, lan: User) -> None:
    for attempt in range(4):
        api.post(URL, {"email": "lan@example.org", "password": f"wrong-{attempt}"})
    assert api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD}).status_code == (
        200
    )
    for attempt in range(4):
        answer = api.post(URL, {"email": "lan@example.org", "password": f"again-{attempt}"})
        assert answer.status_code == 400


def test_a_token_login_stamps_last_login(api: APIClient, lan: User) -> None:
    assert lan.last_login is None
    api.post(URL, {"email": "lan@example.org", "password": STRONG_PASSWORD})
    lan.refresh_from_db()
    assert lan.last_login is not None
