"""Security headers on pages and API answers; production cookies and HSTS in a subprocess
with the production settings (``check --deploy`` itself is tests/config's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/", "/login/", "/password-reset/", "/api/reference/"])
def test_pages_and_api_carry_the_security_headers(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    csp = _directives(answer["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["X-Frame-Options"] == "DENY"


def test_an_api_error_carries_them_too(api):
    answer = api.get("/api/me/")
    assert answer.status_code in (401, 403)
    assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]
    assert answer["X-Content-Type-Options"] == "nosniff"


PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
# The manifest needs collectstatic; the plain storage renders the same page.
plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
settings.STORAGES["staticfiles"]["BACKEND"] = plain
c = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="engawa.example")
answer = c.get("/login/", secure=True)
cookies = {k: {"secure": bool(v["secure"]), "httponly": bool(v["httponly"])}
           for k, v in answer.cookies.items()}
print(json.dumps({
    "status": answer.status_code,
    "hsts": answer.get("Strict-Transport-Security", ""),
    "cookies": cookies,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "plain": Client(HTTP_HOST="engawa.example").get("/login/").status_code,
}))
"""


def test_production_settings_send_hsts_and_secure_cookies(redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENGAWA_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "engawa.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": redis_url,
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "LOG_LEVEL": "ERROR",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 200, out.stderr[-2000:]
    assert "max-age=31536000" in result["hsts"]
    assert "includeSubDomains" in result["hsts"]
    assert result["session_secure"] and result["session_httponly"] and result["csrf_secure"]
    assert result["cookies"]["csrftoken"]["secure"] is True
    assert result["plain"] == 301  # plain HTTP is sent to HTTPS
