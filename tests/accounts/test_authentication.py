"""Token authentication: the compiled-once read answers as DRF's own check does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework import authentication as drf
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from accounts.authentication import TokenAuthentication, token_owner
from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def _both(key: str) -> tuple[object, object]:
    """What DRF's check and ours answer for ``key``: (user id, token key) or the error."""
    answers = []
    for check in (drf.TokenAuthentication(), TokenAuthentication()):
        try:
            user, token = check.authenticate_credentials(key)
            answers.append(("ok", user.pk, token.key, token.user_id, token.created))
        except AuthenticationFailed as refused:
            answers.append(("refused", str(refused.detail), refused.status_code))
    return answers[0], answers[1]


def test_an_active_users_token_gives_the_same_user_and_token() -> None:
    user = factories.StudentProfileFactory().user
    key = Token.objects.create(user=user).key
    theirs, ours = _both(key)
    assert ours == theirs
    assert ours[0] == "ok"


def test_the_user_comes_whole(student: User) -> None:
    key = Token.objects.create(user=student).key
    found = token_owner(key)
    assert found is not None
    user, token = found
    fresh = User.objects.get(pk=student.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(fresh, field.attname), field.name
    assert user._state.adding is False
    assert token.user is user
    assert token.created == Token.objects.get(key=key).created


@translation.override("en")
def test_an_unknown_key_is_refused_with_drfs_message() -> None:
    theirs, ours = _both("0" * 40)
    assert ours == theirs
    assert ours[0] == "refused"


@translation.override("en")
def test_an_inactive_users_token_is_refused_with_drfs_message(student: User) -> None:
    key = Token.objects.create(user=student).key
    User.objects.filter(pk=student.pk).update(is_active=False)
    theirs, ours = _both(key)
    assert ours == theirs
    assert ours[:2] == ("refused", "User inactive or deleted.")


def test_a_deleted_token_stops_at_once(student: User) -> None:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    key = Token.objects.create(user=student).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 200
    Token.objects.filter(key=key).delete()
    answer = api.get("/api/me/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid token."


def test_one_query_per_check(student: User) -> None:
    key = Token.objects.create(user=student).key
    token_owner(key)
    with CaptureQueriesContext(connection) as queries:
        token_owner(key)
    assert len(queries) == 1


def test_the_api_uses_this_check() -> None:
    from rest_framework.settings import api_settings

    assert TokenAuthentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES
