"""The WSGI entry point of production's HTTP server: the client's address is accounts.client's
rule (TRUSTED_PROXIES), for the page limiter and the audit log as for the rest."""

from __future__ import annotations

import json
import logging
from http.cookies import SimpleCookie
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


def serve(
    method: str, path: str, *, remote: str, forwarded: str | None = None, **extra: Any
) -> tuple[int, dict[str, str]]:
    """One request through config.wsgi.application: (status, headers)."""
    from config.wsgi import application

    body: bytes = extra.pop("body", b"")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": remote,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": BytesIO(body),
        "wsgi.url_scheme": "http",
        **extra,
    }
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    started: list[tuple[str, list[tuple[str, str]]]] = []
    # As Django's test client does: the test's transaction keeps its connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        b"".join(application(environ, lambda status, headers: started.append((status, headers))))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status.split()[0]), dict(headers)


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    rates = dict(SimpleRateThrottle.THROTTLE_RATES)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def reset_password(remote: str, forwarded: str) -> int:
    """A password-reset POST with a fresh CSRF cookie, as a browser sends it."""
    _status, headers = serve("GET", "/password-reset/", remote=remote)
    token = SimpleCookie(headers["Set-Cookie"])["csrftoken"].value
    form = urlencode({"email": "nobody@example.org", "csrfmiddlewaretoken": token}).encode()
    status, _headers = serve(
        "POST",
        "/password-reset/",
        remote=remote,
        forwarded=forwarded,
        body=form,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_COOKIE=f"csrftoken={token}",
    )
    return status


def test_a_forged_forwarded_for_per_request_does_not_escape_the_page_limiter(rates):
    rates["auth"] = "2/min"
    answers = [reset_password("10.5.5.5", f"198.51.100.{i}") for i in range(3)]
    assert answers[:2] != [429, 429]
    assert answers[2] == 429


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_page_limiter_counts_each_client(rates):
    rates["auth"] = "1/min"
    assert reset_password("10.0.0.2", "203.0.113.1") != 429
    assert reset_password("10.0.0.2", "203.0.113.2") != 429
    assert reset_password("10.0.0.2", "9.9.9.9, 203.0.113.1") == 429


def failed_login_address(caplog: pytest.LogCaptureFixture, remote: str, forwarded: str) -> str:
    caplog.set_level(logging.INFO, logger="engawa.security")
    body = json.dumps({"email": "nobody@example.org", "password": "wrong"}).encode()
    status, _headers = serve(
        "POST",
        "/api/auth/token/",
        remote=remote,
        forwarded=forwarded,
        body=body,
        CONTENT_TYPE="application/json",
    )
    assert status == 400
    (event,) = [r for r in caplog.records if getattr(r, "event", "") == "login_failed"]
    return str(event.ip)


def test_the_audit_log_records_the_connection_not_a_forged_header(caplog):
    assert failed_login_address(caplog, "10.6.6.6", "198.51.100.9") == "10.6.6.6"


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_audit_log_records_the_address_it_appended(caplog):
    assert failed_login_address(caplog, "10.0.0.2", "198.51.100.9, 203.0.113.7") == "203.0.113.7"
