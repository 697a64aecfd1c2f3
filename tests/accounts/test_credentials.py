"""Tokens that die: changing the password (POST /api/me/password/), a reset, a deactivation, a
deletion and a log-out (POST /api/auth/logout/) each revoke what they must, and a dead token
cannot get a WebSocket ticket."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import ApiToken, User, WsTicket
from accounts.services import token_for, ws_ticket_issue
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def _api(key: str) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _alive(key: str) -> bool:
    return _api(key).get("/api/me/").status_code == 200


def _change(key: str, **body: Any) -> Any:
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, **body}
    return _api(key).post("/api/me/password/", body, format="json")


def test_changing_the_password_revokes_every_token_and_answers_a_new_one(student: User) -> None:
    phone, laptop = token_for(user=student), token_for(user=student)
    answer = _change(phone)
    assert answer.status_code == 200, answer.content
    assert not _alive(phone) and not _alive(laptop)
    assert _alive(answer.json()["token"])
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_is_a_400_naming_it_and_changes_nothing(student: User) -> None:
    key = token_for(user=student)
    answer = _change(key, current_password="not-my-password")
    assert answer.status_code == 400
    assert set(answer.json()) == {"current_password"}
    assert _alive(key)
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["short", "1234567890123", "password123"])
def test_a_weak_new_password_is_a_400_naming_it(student: User, weak: str) -> None:
    key = token_for(user=student)
    answer = _change(key, new_password=weak)
    assert answer.status_code == 400
    assert set(answer.json()) == {"new_password"}
    assert _alive(key)


def test_missing_fields_are_named(student: User) -> None:
    answer = _api(token_for(user=student)).post("/api/me/password/", {}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"current_password", "new_password"}


def test_a_dead_token_cannot_get_a_websocket_ticket(student: User) -> None:
    key = token_for(user=student)
    _change(key)
    answer = _api(key).post("/api/auth/ws-ticket/")
    assert answer.status_code == 401
    assert not WsTicket.objects.filter(user=student).exists()


def test_a_new_password_revokes_unused_tickets(student: User) -> None:
    ws_ticket_issue(user=student)
    student.set_password(NEW_PASSWORD)
    student.save()
    assert not WsTicket.objects.filter(user=student).exists()


def test_a_password_reset_revokes_every_token(student: User) -> None:
    key = token_for(user=student)
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(student.pk))
    token = default_token_generator.make_token(student)
    form = client.get(f"/password-reset/{uid}/{token}/", follow=True).redirect_chain[-1][0]
    answer = client.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert answer.status_code == 302
    assert not _alive(key)
    assert not ApiToken.objects.filter(user=student).exists()


def test_deactivation_revokes_every_token(student: User) -> None:
    key = token_for(user=student)
    student.is_active = False
    student.save()
    assert not ApiToken.objects.filter(user=student).exists()
    student.is_active = True
    student.save()
    assert not _alive(key)


def test_deleting_the_account_revokes_every_token(student: User) -> None:
    key, other = token_for(user=student), token_for(user=student)
    answer = _api(key).delete("/api/me/", {"password": PASSWORD}, format="json")
    assert answer.status_code == 204
    assert not ApiToken.objects.filter(user=student).exists()
    assert not _alive(other)


def test_logging_out_revokes_the_callers_token_only(student: User) -> None:
    phone, laptop = token_for(user=student), token_for(user=student)
    answer = _api(phone).post("/api/auth/logout/")
    assert answer.status_code == 204
    assert not _alive(phone)
    assert _alive(laptop)
    assert _api(phone).post("/api/auth/logout/").status_code == 401


def test_logging_out_with_the_session_ends_the_session(student: User) -> None:
    client = APIClient()
    client.force_login(student, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/me/").status_code in (401, 403)


def test_a_token_log_in_then_log_out_round_trip(student: User) -> None:
    api = APIClient()
    answer = api.post("/api/auth/token/", {"email": student.email, "password": PASSWORD})
    key = answer.json()["token"]
    assert _alive(key)
    assert _api(key).post("/api/auth/logout/").status_code == 204
    assert not _alive(key)
