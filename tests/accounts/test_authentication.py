"""Token authentication (``accounts.authentication``): what an API client's token answers, and
when it dies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import ExpiringTokenAuthentication
from accounts.models import ApiToken, User
from accounts.services import TOKEN_REFRESH_EVERY, api_tokens_purge, token_for

pytestmark = pytest.mark.django_db


def _api(key: str) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _age(key_user: User, **delta: float) -> None:
    ApiToken.objects.filter(user=key_user).update(
        last_used_at=timezone.now() - dt.timedelta(**delta)
    )


def test_only_the_keys_digest_is_stored(student: User) -> None:
    key = token_for(user=student)
    assert len(key) == 40
    assert not ApiToken.objects.filter(digest=key).exists()
    assert ApiToken.objects.get(user=student).digest != key


def test_a_deleted_token_stops_at_once(student: User) -> None:
    key = token_for(user=student)
    api = _api(key)
    assert api.get("/api/me/").status_code == 200
    ApiToken.objects.filter(user=student).delete()
    answer = api.get("/api/me/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid or expired token."


def test_an_inactive_users_token_is_refused(student: User) -> None:
    key = token_for(user=student)
    User.objects.filter(pk=student.pk).update(is_active=False)
    answer = _api(key).get("/api/me/")
    assert answer.status_code == 401


def test_a_token_idle_past_the_setting_dies(student: User, settings) -> None:
    settings.API_TOKEN_IDLE_DAYS = 30
    key = token_for(user=student)
    _age(student, days=29)
    assert _api(key).get("/api/me/").status_code == 200
    _age(student, days=30, seconds=1)
    assert _api(key).get("/api/me/").status_code == 401
    assert not ApiToken.objects.filter(user=student).exists()


def test_a_use_keeps_the_token_alive_but_is_written_at_most_hourly(student: User) -> None:
    key = token_for(user=student)
    _age(student, minutes=59)
    before = ApiToken.objects.get(user=student).last_used_at
    with CaptureQueriesContext(connection) as queries:
        ExpiringTokenAuthentication().authenticate_credentials(key)
    assert len(queries) == 1  # the read only
    assert ApiToken.objects.get(user=student).last_used_at == before
    _age(student, days=29)
    with CaptureQueriesContext(connection) as queries:
        ExpiringTokenAuthentication().authenticate_credentials(key)
    assert len(queries) == 2  # the read and the refresh
    refreshed = ApiToken.objects.get(user=student).last_used_at
    assert timezone.now() - refreshed < TOKEN_REFRESH_EVERY


def test_the_daily_purge_deletes_idle_tokens_only(student: User, host: User, settings) -> None:
    settings.API_TOKEN_IDLE_DAYS = 30
    token_for(user=student)
    token_for(user=host)
    _age(student, days=31)
    assert api_tokens_purge() == 1
    assert list(ApiToken.objects.values_list("user_id", flat=True)) == [host.pk]


def test_the_api_uses_this_check() -> None:
    from rest_framework.settings import api_settings

    assert ExpiringTokenAuthentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES
