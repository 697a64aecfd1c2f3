"""Shared fixtures: users of each role, API clients, and the real-service switches.

Real services (PostgreSQL, Redis, a Celery worker, a browser) are used by the tests that need
them. On a laptop without them those tests skip, the reason naming what is missing; in CI
(``CI=true``) a missing service fails the run instead, so CI never goes green by skipping.
On Redis, the tests write only under their process's key prefix in the database REDIS_URL
names, and delete only there.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock
from urllib.parse import quote, urlparse

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import Role, User
from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The one Redis database the user named, or none: tests never pick a Redis of their own, and
# there they touch only their own keys (the user's data may share the database).
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_namespace(worker: str | None) -> str:
    """What every Redis key of one test process starts with (then a colon). The xdist workers
    of a run share the database and keep apart by prefix: channel groups are named after row
    ids, which each worker's own test database hands out from 1 again."""
    return f"engawa-test-{worker or 'main'}"


REDIS_NAMESPACE = redis_namespace(os.environ.get("PYTEST_XDIST_WORKER"))


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def redis_delete_namespace(url: str, namespace: str) -> int:
    """Delete the keys under ``namespace`` with SCAN and DEL, never FLUSHDB: every other key,
    and every other database, stays as it was. Returns how many keys went."""
    client = _redis_client(url)
    pattern = re.sub(r"([*?\[\]\\])", r"\\\1", namespace) + ":*"
    deleted = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) == 500:
            deleted += client.delete(*batch)
            batch.clear()
    if batch:
        deleted += client.delete(*batch)
    return deleted


def redis_answers(url: str) -> bool:
    try:
        return bool(_redis_client(url).ping())
    except redis.RedisError:
        return False


def need_service(what: str, available: bool, missing: str = "is not installed") -> None:
    """Skip without the service on a laptop, the reason saying what is missing
    ("<what> <missing>"); fail in CI instead, so that CI never goes green by skipping."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} {missing}, and CI must run every test")
    pytest.skip(f"{what} {missing}")


def need_redis() -> str:
    """The Redis the user named in REDIS_URL; the test skips (fails in CI) without it."""
    need_service("REDIS_URL", bool(REDIS_URL), "is not set")
    where = urlparse(REDIS_URL)
    need_service(
        f"Redis at {where.hostname}:{where.port or 6379} (REDIS_URL)",
        redis_answers(REDIS_URL),
        "is not answering",
    )
    return REDIS_URL


@pytest.fixture
def redis_url() -> str:
    return need_redis()


@pytest.fixture
def redis_prefix(redis_url: str) -> str:
    """A key prefix of this test's own, in this process's namespace: for channel layers, whose
    ``flush`` deletes everything under their prefix, and other direct users of Redis."""
    return f"{REDIS_NAMESPACE}:{uuid.uuid4().hex[:12]}:"


def need_postgres() -> None:
    """The test skips (fails in CI) unless its database is PostgreSQL."""
    if connection.vendor == "postgresql":
        return
    if not os.environ.get("DATABASE_URL"):
        need_service("DATABASE_URL", False, "is not set (this test needs PostgreSQL)")
    need_service("DATABASE_URL", False, f"names a {connection.vendor} database, not PostgreSQL")


@pytest.fixture
def postgres(db: None) -> None:
    need_postgres()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite, the test database in a file (one per xdist worker) rather than in memory.
    The browser tests' server answers from threads of its own, and threads share an in-memory
    database only in SQLite's shared-cache mode, which locks whole tables and fails instead of
    waiting; on a file in WAL mode they wait their turn (the settings' busy timeout)."""
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
        test["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


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
def _redis_namespace() -> Iterator[None]:
    """With REDIS_URL, this process's keys in its own namespace: the cache's (the rate limits'
    counters among them), the channel layer's, and those of the servers and workers that tests
    start (REDIS_KEY_PREFIX in their environment). The namespace is emptied as the session
    starts (what a killed run left) and as it ends."""
    if not REDIS_URL:
        yield
        return
    caches = {
        name: {**config, "KEY_PREFIX": REDIS_NAMESPACE}
        if "redis" in config["BACKEND"].lower()
        else config
        for name, config in settings.CACHES.items()
    }
    layers: dict[str, Any] = copy.deepcopy(settings.CHANNEL_LAYERS)
    for layer in layers.values():
        if "CONFIG" in layer:
            layer["CONFIG"]["prefix"] = f"{REDIS_NAMESPACE}:asgi"
    redis_delete_namespace(REDIS_URL, REDIS_NAMESPACE)
    try:
        with (
            override_settings(CACHES=caches, CHANNEL_LAYERS=layers),
            mock.patch.dict(os.environ, {"REDIS_KEY_PREFIX": REDIS_NAMESPACE}),
        ):
            yield
    finally:
        redis_delete_namespace(REDIS_URL, REDIS_NAMESPACE)


def cache_clear() -> None:
    """Empty the cache: on Redis, this process's namespace (Django's ``clear`` is a FLUSHDB,
    which would take every other key of the database with it)."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(caches["default"], RedisCache):
        redis_delete_namespace(settings.CACHES["default"]["LOCATION"], REDIS_NAMESPACE)
    else:
        caches["default"].clear()


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
    cache_clear()
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    cache_clear()
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

    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A transactional test ends with a flush that empties every table, the reference data of
    the data migrations (stations, languages..., the registry's checks) included. Load it again
    right away, so that whatever test comes next finds the database as migrations left it."""
    yield
    # After the last test the session's database is already destroyed, and nothing follows.
    if nextitem is None or not _is_transactional(item):
        return
    from importlib import import_module

    from django.apps import apps
    from pytest_django.plugin import blocking_manager_key

    from accounts.models import Station, VettingCheck

    with item.config.stash[blocking_manager_key].unblock():
        if not Station.objects.exists():
            import_module("accounts.migrations.0002_reference_data").load(apps, None)
        if not VettingCheck.objects.exists():
            import_module("accounts.migrations.0008_vetting_checks").add_checks(apps, None)


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
