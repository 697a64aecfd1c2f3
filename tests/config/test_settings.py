"""The settings module in each runtime mode, checked in a fresh interpreter with a given env."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Every variable config/settings.py reads: the subprocess starts from none of them, so the
# developer's or CI's environment cannot leak into what a test asserts.
SETTINGS_VARIABLES = frozenset(
    re.findall(
        r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', (BASE_DIR / "config" / "settings.py").read_text()
    )
)

PRODUCTION = {
    "ENGAWA_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "engawa.example",
    "DATABASE_URL": "postgres://engawa:secret@db.internal:5432/engawa",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.org:587",
}

REPORT = """
import json
import django
django.setup()
from django.conf import settings
from config.celery import app
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "DATABASE_ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DATABASE_NAME": str(settings.DATABASES["default"]["NAME"]),
    "DATABASE_POOL": settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    "CONN_HEALTH_CHECKS": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
    "CONN_MAX_AGE": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "DATABASE_OPTIONS": sorted(settings.DATABASES["default"].get("OPTIONS", {})),
    "CHANNEL_BACKEND": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "CHANNEL_HOSTS": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX"),
    "CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix"),
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "APP_EAGER": app.conf.task_always_eager,
    "BROKER": app.conf.broker_url,
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": getattr(settings, "EMAIL_HOST", None),
    "EMAIL_PORT": getattr(settings, "EMAIL_PORT", None),
    "EMAIL_USE_TLS": getattr(settings, "EMAIL_USE_TLS", None),
    "SECRET_KEY": settings.SECRET_KEY,
    "PASSWORD_HASHER": settings.PASSWORD_HASHERS[0],
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "WSGI_APPLICATION": settings.WSGI_APPLICATION,
}))
"""


def test_the_variable_list_is_read_from_the_settings() -> None:
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ENGAWA_ENV"} <= (
        SETTINGS_VARIABLES
    )
    assert not SETTINGS_VARIABLES & set(PASSED_THROUGH)


def test_no_leaked_variable_reaches_the_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setenv("DATABASE_URL", "postgres://leak@nowhere/leak")
    env = clean_env()
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in env and "DATABASE_URL" not in env


# Only what an interpreter needs to start: anything else in the test process's environment
# (the settings' variables, or a test's DJANGO_ALLOW_ASYNC_UNSAFE) must not reach the check.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_env(**variables: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["LOG_LEVEL"] = "WARNING"
    env.update(variables)
    return env


def python(code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def report(**variables: str) -> dict[str, Any]:
    done = python(REPORT, **variables)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"]
)
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    done = python("import django; django.setup()", **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert missing in done.stderr
    required = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
    named = [v for v in required if v in done.stderr]
    assert named == [missing], done.stderr


def test_production_without_anything_names_every_missing_variable() -> None:
    done = python("import django; django.setup()", ENGAWA_ENV="production")
    assert done.returncode != 0
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        assert name in done.stderr


def test_an_empty_secret_key_counts_as_missing() -> None:
    done = python("import django; django.setup()", **{**PRODUCTION, "SECRET_KEY": "  "})
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr


def test_an_unknown_mode_is_refused() -> None:
    done = python("import django; django.setup()", ENGAWA_ENV="staging")
    assert done.returncode != 0 and "ENGAWA_ENV" in done.stderr


def test_production_passes_check_deploy_without_findings() -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_uses_the_real_backends_and_secure_cookies() -> None:
    found = report(**PRODUCTION)
    assert found["DEBUG"] is False
    assert found["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]
    assert found["DATABASE_ENGINE"] == "django.db.backends.postgresql"
    assert found["CHANNEL_BACKEND"] == "chat.channel_layer.RedisChannelLayer"
    assert found["EAGER"] is False and found["APP_EAGER"] is False
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["STATICFILES"].startswith("whitenoise.")


def test_the_embedded_mode_needs_no_environment() -> None:
    found = report()
    assert found["DEBUG"] is True
    assert found["DATABASE_ENGINE"] == "django.db.backends.sqlite3"
    assert found["DATABASE_NAME"].endswith("var/engawa.sqlite3")
    assert found["CHANNEL_BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert found["CACHE_BACKEND"].endswith("LocMemCache")
    assert found["EAGER"] is True and found["APP_EAGER"] is True
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert found["PASSWORD_HASHER"].endswith("Argon2PasswordHasher")


def test_service_urls_switch_to_postgres_redis_and_smtp() -> None:
    found = report(
        DATABASE_URL="postgres://engawa:secret@db.internal:5432/engawa",
        REDIS_URL="redis://redis.internal:6379/2",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.org:587",
    )
    assert found["DATABASE_ENGINE"] == "django.db.backends.postgresql"
    assert found["DATABASE_NAME"] == "engawa"
    assert found["CHANNEL_BACKEND"] == "chat.channel_layer.RedisChannelLayer"
    # The layer's read timeout outlasts channels_redis' 5 s blocking read (idle sockets).
    assert found["CHANNEL_HOSTS"] == [
        {"address": "redis://redis.internal:6379/2", "socket_timeout": 15, "max_connections": 1000}
    ]
    assert found["CACHE_BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert found["BROKER"] == "redis://redis.internal:6379/2"
    assert found["EAGER"] is False and found["APP_EAGER"] is False
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_USE_TLS"]) == (
        "smtp.example.org",
        587,
        True,
    )


def test_postgres_connections_come_from_a_pool_shared_by_the_request_threads() -> None:
    found = report(**PRODUCTION)
    assert found["DATABASE_POOL"] == {"min_size": 2, "max_size": 10, "timeout": 10.0}
    assert found["CONN_MAX_AGE"] == 0
    found = report(**PRODUCTION, DB_POOL_SIZE="4", DB_POOL_TIMEOUT="3")
    assert found["DATABASE_POOL"] == {"min_size": 2, "max_size": 4, "timeout": 3.0}
    # The URL's own options stay.
    url = PRODUCTION["DATABASE_URL"] + "?sslmode=require"
    found = report(**{**PRODUCTION, "DATABASE_URL": url})
    assert found["DATABASE_OPTIONS"] == ["pool", "sslmode"]


def test_django_checks_a_connection_before_handing_it_out() -> None:
    assert report(**PRODUCTION)["CONN_HEALTH_CHECKS"] is True
    assert report(**PRODUCTION, DB_POOL_SIZE="0", CONN_MAX_AGE="60")["CONN_HEALTH_CHECKS"] is True


def test_http_is_served_over_wsgi_in_production() -> None:
    assert report(**PRODUCTION)["WSGI_APPLICATION"] == "config.wsgi.application"


@pytest.mark.parametrize(
    ("variable", "value"), [("DB_POOL_TIMEOUT", "soon"), ("DB_POOL_SIZE", "1.5")]
)
def test_a_setting_that_cannot_be_read_stops_the_start_and_is_named(
    variable: str, value: str
) -> None:
    done = python("import django; django.setup()", **PRODUCTION, **{variable: value})
    assert done.returncode != 0
    assert variable in done.stderr  # the settings line that read it, in the traceback


def test_without_the_pool_persistent_connections_may_be_kept() -> None:
    found = report(**PRODUCTION, DB_POOL_SIZE="0", CONN_MAX_AGE="60")
    assert found["DATABASE_POOL"] is None
    assert found["CONN_MAX_AGE"] == 60


def test_the_pool_and_persistent_connections_are_refused_together() -> None:
    done = python("import django; django.setup()", **PRODUCTION, CONN_MAX_AGE="60")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "CONN_MAX_AGE" in done.stderr


def test_sqlite_has_no_pool() -> None:
    assert report()["DATABASE_POOL"] is None


def test_a_separate_broker_url_wins_over_redis_url() -> None:
    found = report(REDIS_URL="redis://redis.internal:6379/2", CELERY_BROKER_URL="redis://q:6379/5")
    assert found["BROKER"] == "redis://q:6379/5"


def test_deployments_sharing_a_redis_database_keep_apart_by_key_prefix() -> None:
    default = report(REDIS_URL="redis://redis.internal:6379/2")
    assert (default["CACHE_KEY_PREFIX"], default["CHANNEL_PREFIX"]) == ("engawa", "engawa:asgi")
    other = report(REDIS_URL="redis://redis.internal:6379/2", REDIS_KEY_PREFIX="staging")
    assert (other["CACHE_KEY_PREFIX"], other["CHANNEL_PREFIX"]) == ("staging", "staging:asgi")


def test_production_sockets_may_connect_only_to_the_sites_own_wss_origin() -> None:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src'], "
        "settings.TRUSTED_PROXIES]))"
    )
    done = python(code, **PRODUCTION, SITE_URL="https://engawa.example:8443")
    assert done.returncode == 0, done.stderr
    connect_src, trusted_proxies = json.loads(done.stdout.strip().splitlines()[-1])
    assert connect_src == ["'self'", "wss://engawa.example:8443"]
    assert trusted_proxies == 0  # X-Forwarded-For is ignored unless a proxy is declared
