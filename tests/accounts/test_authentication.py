"""Token authentication (DRF's own check): what an API client's token answers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db


def _api(key: str) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_a_deleted_token_stops_at_once(student: User) -> None:
    key = Token.objects.create(user=student).key
    api = _api(key)
    assert api.get("/api/me/").status_code == 200
    Token.objects.filter(key=key).delete()
    answer = api.get("/api/me/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid token."


def test_an_inactive_users_token_is_refused(student: User) -> None:
    key = Token.objects.create(user=student).key
    User.objects.filter(pk=student.pk).update(is_active=False)
    answer = _api(key).get("/api/me/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "User inactive or deleted."


def test_one_query_per_check(student: User) -> None:
    key = Token.objects.create(user=student).key
    with CaptureQueriesContext(connection) as queries:
        user, token = TokenAuthentication().authenticate_credentials(key)
    assert (user.pk, token.key) == (student.pk, key)
    assert len(queries) == 1


def test_the_api_uses_this_check() -> None:
    from rest_framework.settings import api_settings

    assert TokenAuthentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES
