"""E-mail verification: a new account gets a link in its language; until it is used the
account may fill in its profile but not apply (403 saying why); the link expires; the API can
confirm it and send it again; coordinators and demo accounts are verified."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from accounts.verification import verification_token
from tests import factories
from tests.accounts.conftest import STRONG_PASSWORD, student_body
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified() -> User:
    return factories.StudentProfileFactory(user__email_verified_at=None).user


def _token_in(body: str) -> str:
    return re.search(r"/verify-email/([^/\s]+)/", body).group(1)


def test_a_new_account_gets_a_link_in_its_language(
    api: APIClient, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://engawa.example.org"
    body = {
        "email": "lan@example.org",
        "password": STRONG_PASSWORD,
        "role": "student",
        "name": "Lan",
        "preferred_language": "en",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("/api/auth/register/", body, format="json")
    assert answer.status_code == 201
    assert set(answer.json()) == {"id", "email", "role", "name", "preferred_language"}
    [message] = mail.outbox
    assert message.to == ["lan@example.org"]
    assert "confirm that this is your e-mail address" in message.body
    assert "https://engawa.example.org/verify-email/" in message.body
    assert not User.objects.get(email="lan@example.org").email_verified


def test_the_link_is_written_in_japanese_for_a_japanese_account(
    unverified: User, django_capture_on_commit_callbacks: Any
) -> None:
    from accounts.verification import email_verification_request

    User.objects.filter(pk=unverified.pk).update(preferred_language="ja")
    unverified.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        email_verification_request(user=unverified)
    [message] = mail.outbox
    assert "confirm that this is your e-mail address" not in message.body
    assert "/verify-email/" in message.body


def test_an_unverified_account_fills_its_profile_but_cannot_apply(
    unverified: User, client_for: Any
) -> None:
    program = factories.ProgramFactory()
    api = client_for(unverified)
    assert api.patch("/api/me/profile/", student_body(), format="json").status_code == 200
    answer = api.post(f"/api/programs/{program.pk}/apply/", {"dates": program.dates}, format="json")
    assert answer.status_code == 403
    assert "Confirm your e-mail address" in answer.json()["detail"]
    assert api.get("/api/me/").json()["email_verified"] is False

    token = verification_token(unverified)
    confirmed = APIClient().post("/api/auth/verify-email/", {"token": token}, format="json")
    assert confirmed.status_code == 200
    answer = api.post(f"/api/programs/{program.pk}/apply/", {"dates": program.dates}, format="json")
    assert answer.status_code == 201, answer.content
    assert api.get("/api/me/").json()["email_verified"] is True


def test_the_link_expires(unverified: User, settings: Any, monkeypatch: Any) -> None:
    settings.EMAIL_VERIFICATION_DAYS = 3
    sent = time.time() - 3 * 24 * 3600 - 60
    monkeypatch.setattr(signing.time, "time", lambda: sent)
    token = verification_token(unverified)
    monkeypatch.undo()
    answer = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/auth/verify-email/", {"token": token}, format="json"
    )
    assert answer.status_code == 400
    assert "expired" in answer.json()["token"][0]
    unverified.refresh_from_db()
    assert not unverified.email_verified


@pytest.mark.parametrize("token", ["nonsense", "x" * 400])
def test_an_altered_link_is_a_400_naming_the_token(token: str) -> None:
    answer = APIClient().post("/api/auth/verify-email/", {"token": token}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"token"}


def test_a_link_sent_to_an_older_address_does_not_confirm_the_new_one(unverified: User) -> None:
    token = verification_token(unverified)
    User.objects.filter(pk=unverified.pk).update(email="new@example.org")
    answer = APIClient().post("/api/auth/verify-email/", {"token": token}, format="json")
    assert answer.status_code == 400
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_the_link_can_be_sent_again_until_it_is_used(
    unverified: User, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    api = client_for(unverified)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post("/api/me/verify-email/")
    assert answer.status_code == 202
    [message] = mail.outbox
    APIClient().post("/api/auth/verify-email/", {"token": _token_in(message.body)}, format="json")
    unverified.refresh_from_db()
    assert unverified.email_verified
    again = api.post("/api/me/verify-email/")
    assert again.status_code == 400
    assert "already confirmed" in again.json()["detail"]


def test_createcoordinator_makes_a_verified_account() -> None:
    call_command(
        "createcoordinator", email="c@example.org", name="Kimura", password=STRONG_PASSWORD
    )
    assert User.objects.get(email="c@example.org").email_verified


def test_logging_in_is_not_blocked_before_verification(unverified: User) -> None:
    answer = APIClient().post("/api/auth/token/", {"email": unverified.email, "password": PASSWORD})
    assert answer.status_code == 200
