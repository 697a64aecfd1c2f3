"""Every limit, driven until it refuses: django-axes lock-outs (per account, and per address at
a higher limit, API and web log-in), the "auth" scope (token, registration), the password-reset
and sign-up pages, and the "writes" scope on every API write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """DRF reads the rates once at import; the tests lower them on that very dict."""
    rates = dict(SimpleRateThrottle.THROTTLE_RATES)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def _api_failures(api: APIClient, email: str, times: int, **extra: Any) -> list[int]:
    return [
        api.post("/api/auth/token/", {"email": email, "password": "wrong"}, **extra).status_code
        for _ in range(times)
    ]


def test_sixth_failed_token_login_of_an_account_is_refused_even_with_the_password(api, student):
    # Each attempt from another address: the account alone is what is counted.
    statuses = [
        api.post(
            "/api/auth/token/",
            {"email": student.email, "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{i}",
        ).status_code
        for i in range(5)
    ]
    assert statuses == [400] * 5
    right = api.post(
        "/api/auth/token/", {"email": student.email, "password": PASSWORD}, REMOTE_ADDR="10.0.1.1"
    )
    assert right.status_code == 429


def test_failures_on_other_accounts_do_not_lock_out_the_next_person_at_that_address(
    api, student, host
):
    # The campus: strangers mistype on their own accounts from one address ...
    assert _api_failures(api, host.email, 4, REMOTE_ADDR="10.9.9.9") == [400] * 4
    statuses = [
        api.post(
            "/api/auth/token/",
            {"email": f"nobody{i}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        ).status_code
        for i in range(5)
    ]
    assert statuses == [400] * 5
    # ... and a third person with the right password logs in from it.
    right = api.post(
        "/api/auth/token/", {"email": student.email, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert right.status_code == 200, right.content


def test_failures_on_other_accounts_do_not_lock_out_the_next_person_on_the_login_page(
    client, student
):
    for i in range(5):
        answer = client.post(
            "/login/",
            {"username": f"nobody{i}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        )
        assert answer.status_code == 200
    right = client.post(
        "/login/", {"username": student.email, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert right.status_code == 302


@pytest.fixture
def address_limit(settings: Any) -> int:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    return 8


def test_an_address_that_tries_many_accounts_is_locked_at_its_own_limit(
    api, student, address_limit
):
    statuses = [
        api.post(
            "/api/auth/token/",
            {"email": f"nobody{i}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        ).status_code
        for i in range(address_limit)
    ]
    assert statuses == [400] * address_limit
    here = api.post(
        "/api/auth/token/", {"email": student.email, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert here.status_code == 429
    elsewhere = api.post(
        "/api/auth/token/", {"email": student.email, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert elsewhere.status_code == 200


def test_an_address_that_tries_many_accounts_is_locked_on_the_login_page(
    client, student, address_limit
):
    statuses = [
        client.post(
            "/login/",
            {"username": f"nobody{i}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.9.9.9",
        ).status_code
        for i in range(address_limit)
    ]
    # The failure that reaches the address's limit already shows the lock-out page.
    assert statuses == [200] * (address_limit - 1) + [429]
    here = client.post(
        "/login/", {"username": student.email, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert here.status_code == 429
    elsewhere = client.post(
        "/login/", {"username": student.email, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert elsewhere.status_code == 302


def test_an_address_is_counted_only_within_the_cool_off(api, student, address_limit):
    from axes.models import AccessAttempt
    from django.utils import timezone

    _api_failures(api, "nobody@example.org", 4, REMOTE_ADDR="10.9.9.9")
    _api_failures(api, "other@example.org", 4, REMOTE_ADDR="10.9.9.9")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    right = api.post(
        "/api/auth/token/", {"email": student.email, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert right.status_code == 200


def test_sixth_failed_web_login_is_refused(client, student):
    statuses = [
        client.post("/login/", {"username": student.email, "password": "wrong"}).status_code
        for _ in range(5)
    ]
    # The form again with its error; the failure that reaches the limit already shows the
    # lock-out page.
    assert statuses == [200, 200, 200, 200, 429]
    locked = client.post("/login/", {"username": student.email, "password": PASSWORD})
    assert locked.status_code == 429


def test_token_endpoint_is_rate_limited(api, student, rates):
    rates["auth"] = "3/min"
    answers = [
        api.post("/api/auth/token/", {"email": student.email, "password": PASSWORD}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_registration_endpoint_is_rate_limited(api, rates):
    rates["auth"] = "2/min"
    answers = [
        api.post(
            "/api/auth/register/",
            {
                "email": f"new{i}@example.org",
                "password": "a-long-enough-pass-phrase",
                "role": "student",
                "name": "New",
            },
        ).status_code
        for i in range(3)
    ]
    assert answers == [201, 201, 429]


@pytest.mark.parametrize("path", ["/password-reset/", "/signup/"])
def test_public_forms_are_rate_limited_per_address(client, rates, path):
    rates["auth"] = "2/min"
    answers = [
        client.post(path, {"email": f"x{i}@example.org"}, REMOTE_ADDR="10.2.2.2").status_code
        for i in range(3)
    ]
    assert answers[:2] != [429, 429]
    assert answers[2] == 429
    # Another address still gets through.
    assert client.post(path, {"email": "y@example.org"}, REMOTE_ADDR="10.3.3.3").status_code != 429


def test_api_writes_are_rate_limited_per_user_and_reads_are_not(client_for, student, rates):
    rates["writes"] = "3/min"
    api = client_for(student)
    writes = [
        api.patch("/api/me/", {"name": f"Name {i}"}, format="json").status_code for i in range(4)
    ]
    assert writes == [200, 200, 200, 429]
    assert api.get("/api/me/").status_code == 200


def test_every_api_write_view_carries_the_write_throttle():
    """A view that sets its own throttle_classes must keep a limit on its writes."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from accounts.api.throttles import WriteRateThrottle

    def views(patterns: list[Any]) -> list[Any]:
        found = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += views(entry.url_patterns)
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
                found.append(entry.callback.cls)
        return found

    unlimited = []
    for view in views(get_resolver().url_patterns):
        if not any(hasattr(view, m) for m in ("post", "put", "patch", "delete")):
            continue
        if view.__module__.startswith("drf_spectacular"):
            continue
        classes = set(view.throttle_classes)
        if WriteRateThrottle not in classes and not classes:
            unlimited.append(view.__name__)
    assert unlimited == []


def _cache_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from rest_framework.throttling import SimpleRateThrottle

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(SimpleRateThrottle.cache, "get", unreachable)
    monkeypatch.setattr(SimpleRateThrottle.cache, "set", unreachable)


def test_api_writes_go_through_and_are_logged_while_the_cache_is_unreachable(
    client_for, student, rates, monkeypatch, caplog
):
    rates["writes"] = "1/min"
    _cache_unreachable(monkeypatch)
    api = client_for(student)
    writes = [
        api.patch("/api/me/", {"name": f"Name {i}"}, format="json").status_code for i in range(3)
    ]
    assert writes == [200, 200, 200]
    assert "rate limit not checked: the cache is unreachable" in caplog.text


def test_registration_goes_through_while_the_cache_is_unreachable(api, rates, monkeypatch):
    rates["auth"] = "1/min"
    _cache_unreachable(monkeypatch)
    answers = [
        api.post(
            "/api/auth/register/",
            {
                "email": f"outage{i}@example.org",
                "password": PASSWORD,
                "role": "student",
                "name": "New",
            },
        ).status_code
        for i in range(2)
    ]
    assert answers == [201, 201]
