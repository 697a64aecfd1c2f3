"""Shared fixtures: users of each role, API clients, and the real-service switches.

Real services (PostgreSQL, Redis, a Celery worker, a browser) are used by the tests that need
them. On a laptop without them those tests skip with a reason; in CI (``CI=true``) a missing
service fails the run instead, so CI never goes green by skipping.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def worker_redis_url(url: str, worker: str | None) -> str:
    """The Redis database of one pytest-xdist worker (gw0, gw1, ...): the base one for gw0,
    the ones below it for the others. Workers must not share one: every test empties the cache
    (a FLUSHDB on Redis), and channel groups are named after row ids, which each worker's own
    test database hands out from 1 again."""
    if not worker or not worker.startswith("gw"):
        return url
    parsed = urlparse(url)
    base = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{(base - int(worker[2:])) % 16}").geturl()


_BASE_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
REDIS_URL = worker_redis_url(_BASE_REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER"))


def need_service(what: str, available: bool) -> None:
    """Skip without the service on a laptop; fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available on this machine")


def redis_available(url: str = REDIS_URL) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    need_service("Redis", redis_available())
    return REDIS_URL


@pytest.fixture
def postgres(db: None) -> None:
    need_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql")


def running_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's test database), for the
    processes a test starts (workers, servers)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


@pytest.fixture(scope="session", autouse=True)
def _worker_redis() -> Iterator[None]:
    """Under pytest-xdist, this worker's own Redis database for everything that the settings
    point at Redis (cache, limits, broker) and for the processes that tests start."""
    if REDIS_URL == _BASE_REDIS_URL or not settings.REDIS_URL:
        yield
        return
    caches = {
        name: {**cache, "LOCATION": REDIS_URL} if "redis" in cache["BACKEND"].lower() else cache
        for name, cache in settings.CACHES.items()
    }
    with (
        override_settings(REDIS_URL=REDIS_URL, CELERY_BROKER_URL=REDIS_URL, CACHES=caches),
        mock.patch.dict(os.environ, {"REDIS_URL": REDIS_URL}),
    ):
        yield


def celery_eager() -> None:
    """This process's Celery runs tasks in place, and a test may wait for their results."""
    from celery._state import _set_task_join_will_block

    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    # An eager apply_async sets a process-wide "joining would block" flag and puts back what it
    # found; two threads doing that at once (a browser test's server beside the test) can leave
    # it set, and every later ``.delay().get()`` in this process raises.
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _isolated_runtime(settings: Any) -> Iterator[None]:
    """Each test: eager Celery, the in-memory channel layer, an empty cache (throttles).

    Tests that exercise the real worker or Redis layer override these explicitly."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True
    celery_eager()
    cache.clear()
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    cache.clear()
    channel_layers.backends.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User | None], APIClient]:
    """An API client authenticated by the user's token (or anonymous for None)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            from accounts.services import token_for

            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user=user)}")
        return client

    return make


@pytest.fixture
def student(db: None) -> User:
    return factories.StudentProfileFactory().user


@pytest.fixture
def host(db: None) -> User:
    return factories.HostProfileFactory().user


@pytest.fixture
def coordinator(db: None) -> User:
    return factories.UserFactory(role=Role.COORDINATOR, is_staff=True)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.fixture(scope="session", autouse=True)
def _db_pool_closed_before_the_test_database_goes(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[None]:
    """psycopg's pool keeps connections open between tests, and PostgreSQL cannot drop the
    test database while they are. Set up after the database, so torn down before it."""
    yield
    from django.db import connections

    from config.db_pool import db_pool_close_connections

    with django_db_blocker.unblock():
        db_pool_close_connections()  # the sockets' threads hand theirs back first
        for connection in connections.all():
            connection.close()
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A transactional test ends with a flush that empties every table, the reference data of
    the data migrations (stations, languages...) included. Load it again right away, so that
    whatever test comes next finds the database as migrations left it."""
    yield
    # After the last test the session's database is already destroyed, and nothing follows.
    if nextitem is None or not _is_transactional(item):
        return
    from importlib import import_module

    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    from accounts.models import Station

    with item.config.stash[blocking_manager_key].unblock():
        if not Station.objects.exists():
            import_module("accounts.migrations.0002_reference_data").load(apps, None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Figures that tests record as a "summary" property (the access matrix's count of routes
    and leaks), printed at the end: under pytest-xdist a test's own output is not shown."""
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, value in getattr(report, "user_properties", ()):
                if name == "summary" and report.when == "call":
                    terminalreporter.write_line(str(value))


def pytest_report_header(config: Any) -> str:
    return (
        f"engawa: database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} ci={IN_CI}"
    )
