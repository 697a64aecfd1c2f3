"""accounts.client: the one rule for the client's address, and the API throttle that keys on it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.client import client_address


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert address("10.0.0.2", "198.51.100.9") == "10.0.0.2"


@override_settings(TRUSTED_PROXIES=1)
def test_one_proxy_its_appended_entry_is_the_client() -> None:
    assert address("10.0.0.2", "198.51.100.9, 203.0.113.7") == "203.0.113.7"
    assert address("10.0.0.2", "203.0.113.7") == "203.0.113.7"
    # Not through the proxy (no header), or an entry that is no address: the connection's.
    assert address("10.0.0.2") == "10.0.0.2"
    assert address("10.0.0.2", "198.51.100.9, not-an-address") == "10.0.0.2"
    assert address("10.0.0.2", "2001:db8::1") == "2001:db8::1"


@override_settings(TRUSTED_PROXIES=2)
def test_two_proxies_the_second_entry_from_the_right() -> None:
    assert address("10.0.0.2", "198.51.100.9, 203.0.113.7, 10.0.0.1") == "203.0.113.7"
    assert address("10.0.0.2", "10.0.0.1") == "10.0.0.2"  # fewer entries than proxies


def test_no_request_no_address() -> None:
    assert client_address(None) == ""


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    rates = dict(SimpleRateThrottle.THROTTLE_RATES)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def register(api: APIClient, i: int, **extra: str) -> int:
    body = {
        "email": f"forged{i}@example.org",
        "password": "a-long-enough-pass-phrase",
        "role": "student",
        "name": "New",
    }
    return int(api.post("/api/auth/register/", body, format="json", **extra).status_code)


@pytest.mark.django_db
def test_a_forged_forwarded_for_per_request_does_not_escape_the_api_throttle(
    api: APIClient, rates: dict[str, str]
) -> None:
    rates["auth"] = "2/min"
    answers = [
        register(api, i, REMOTE_ADDR="10.4.4.4", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        for i in range(3)
    ]
    assert answers == [201, 201, 429]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_each_client_has_its_own_api_budget(
    api: APIClient, rates: dict[str, str]
) -> None:
    rates["auth"] = "1/min"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert register(api, 0, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy) == 201
    assert register(api, 1, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy) == 201
    # A client's forged entry sits left of the proxy's: still 203.0.113.1.
    assert register(api, 2, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1", **proxy) == 429
