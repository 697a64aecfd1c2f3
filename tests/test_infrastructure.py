"""What can be checked of the deployment without Docker: the compose file, the Dockerfile,
CI's script and the README's two commands."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis
import yaml
from django.db import connection

from bench.chaos_services import REDIS_SERVER, PrivateRedis
from tests import conftest
from tests.conftest import (
    celery_eager,
    need_postgres,
    need_redis,
    need_service,
    redis_namespace,
)

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "ws", "worker", "beat")
# What ENGAWA_ENV=production refuses to start without (config/settings.py), plus the mode itself
# and the SMTP server that production mail needs.
PRODUCTION_REQUIRES = (
    "ENGAWA_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def command_of(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def depends_healthy(service: dict[str, Any]) -> dict[str, str]:
    depends = service.get("depends_on", {})
    assert isinstance(depends, dict), "depends_on must carry conditions"
    return {name: spec.get("condition", "") for name, spec in depends.items()}


def test_the_six_services_exist(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "redis", "web", "ws", "worker", "beat"}


def test_postgres_keeps_its_data_and_reports_health(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_redis_reports_health(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    assert "ping" in " ".join(redis["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_built_here_and_wait_for_healthy_backends(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert service["build"] == "."
    conditions = depends_healthy(service)
    assert conditions["postgres"] == "service_healthy"
    assert conditions["redis"] == "service_healthy"


def test_web_serves_wsgi_on_gunicorn_threads_after_migrate_and_collectstatic(
    compose: dict[str, Any],
) -> None:
    web = compose["services"]["web"]
    command = command_of(web)
    migrate = command.index("manage.py migrate")
    collect = command.index("manage.py collectstatic")
    serve = command.index("gunicorn")
    assert migrate < serve and collect < serve
    gunicorn = shlex.split(command[serve:])
    assert gunicorn[1] == "config.wsgi:application"
    assert gunicorn[gunicorn.index("--bind") + 1] == "0.0.0.0:8000"
    # Threads, one pooled database connection each (DB_POOL_SIZE's default).
    assert int(gunicorn[gunicorn.index("--threads") + 1]) == 10
    assert "8000:8000" in web["ports"]
    assert web["healthcheck"]["test"]


def test_ws_serves_the_asgi_app_on_daphne_after_web_has_migrated(
    compose: dict[str, Any],
) -> None:
    ws = compose["services"]["ws"]
    daphne = shlex.split(command_of(ws))
    assert daphne[0] == "daphne" and daphne[-1] == "config.asgi:application"
    assert daphne[daphne.index("--port") + 1] == "8001"
    # The client's address is accounts.client's rule (TRUSTED_PROXIES), not daphne's reading
    # of X-Forwarded-For (its first entry, which the client writes); no Server header.
    assert "--proxy-headers" not in daphne
    assert "--no-server-name" in daphne
    assert "8001:8001" in ws["ports"]
    assert depends_healthy(ws)["web"] == "service_healthy"
    # The standard allocator: no preloaded library, no allocator settings.
    for name in ("web", "ws"):
        environment = compose["services"][name]["environment"]
        assert not {"LD_PRELOAD", "PYTHONMALLOC", "MALLOC_CONF"} & set(environment)


def test_worker_and_beat_run_celery_on_the_config_app(compose: dict[str, Any]) -> None:
    worker = shlex.split(command_of(compose["services"]["worker"]))
    beat = shlex.split(command_of(compose["services"]["beat"]))
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    # Only one beat: two would send every periodic task twice.
    assert "deploy" not in compose["services"]["beat"]
    # They start after web, whose start-up applies the migrations.
    for name in ("worker", "beat"):
        assert depends_healthy(compose["services"][name])["web"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_production_requires_is_set(compose: dict[str, Any], name: str) -> None:
    environment = compose["services"][name]["environment"]
    for variable in PRODUCTION_REQUIRES:
        assert str(environment.get(variable, "")).strip(), f"{name}: {variable} is not set"
    assert environment["ENGAWA_ENV"] == "production"
    # The secret comes from the operator, never from the file: compose refuses to start without.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"])
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379")


def test_the_database_password_matches_on_both_sides(compose: dict[str, Any]) -> None:
    password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert f":{password}@postgres" in compose["services"]["web"]["environment"]["DATABASE_URL"]


def test_the_dockerfile_installs_pinned_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    assert "pip install -c constraints.txt ." in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\b", script, re.M)
    assert "export CI=true" in script
    assert "makemigrations --check" in script
    assert "check --deploy" in script


def test_ci_tests_a_clean_install_in_a_fresh_virtualenv() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    removed = re.search(r"^rm -rf \.venv$", script, re.M)
    installed = re.search(r"^make install$", script, re.M)
    assert removed and installed and removed.start() < installed.start()


def test_the_install_says_what_it_is_doing() -> None:
    recipe = (ROOT / "Makefile").read_text().split("$(STAMP):", 1)[1]
    install = next(line for line in recipe.splitlines() if "-e '.[dev]'" in line)
    assert "--quiet" not in install
    assert len(re.findall(r"^\t@echo ", recipe, re.M)) >= 3


def test_the_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    assert first_block, "the README needs its commands in a code block"
    commands = [
        line.split("#", 1)[0].strip()
        for line in first_block.group(1).splitlines()
        if line.split("#", 1)[0].strip()
    ]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_the_readme_documents_every_setting_and_dependency() -> None:
    readme = (ROOT / "README.md").read_text()
    settings_source = (ROOT / "config" / "settings.py").read_text()
    variables = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= variables
    missing = sorted(v for v in variables if f"`{v}`" not in readme)
    assert not missing, f"README does not document {missing}"
    pyproject = (ROOT / "pyproject.toml").read_text()
    names = re.findall(r'^\s*"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?[<>=!~ ;"]', pyproject, re.M)
    undocumented = sorted(n for n in names if f"`{n}`" not in readme)
    assert not undocumented, f"README does not say what {undocumented} are for"


def test_each_xdist_worker_keeps_to_a_namespace_of_its_own() -> None:
    names = [redis_namespace(worker) for worker in (None, "", "gw0", "gw1", "gw10")]
    assert names[:2] == ["engawa-test-main", "engawa-test-main"]
    assert len(set(names[1:])) == 4
    # Deleting one namespace (its prefix and a colon) cannot reach another's keys.
    assert not any(a != b and b.startswith(f"{a}:") for a in names for b in names)


INNER_TESTS = """
import os

import redis
from django.core.cache import cache

from tests.conftest import REDIS_NAMESPACE, REDIS_URL


def test_writes_through_the_cache_and_directly():
    assert os.environ["REDIS_KEY_PREFIX"] == REDIS_NAMESPACE  # for the processes tests start
    cache.set("from-a-test", 1)
    assert cache.get("from-a-test") == 1
    redis.Redis.from_url(REDIS_URL).set(f"{REDIS_NAMESPACE}:left-by-a-channel-layer", 1)


def test_starts_with_an_empty_cache_of_its_own():
    assert cache.get("from-a-test") is None
"""


def test_a_test_session_deletes_only_its_own_keys_in_the_named_database(tmp_path: Path) -> None:
    """A whole session (two xdist workers) on REDIS_URL's database 1 of a redis-server of this
    test's own: what other databases and other prefixes hold survives its clean-up."""
    need_service(f"redis-server ({REDIS_SERVER})", os.access(REDIS_SERVER, os.X_OK))
    server = PrivateRedis()
    server.start()
    try:
        other_db = redis.Redis(port=server.port, db=0)
        named_db = redis.Redis(port=server.port, db=1)
        other_db.set("engawa-test-gw0:in-another-database", 1)
        survivors = {"engawa:1:the-users-own", "engawa-test-gw0-other:look-alike"}
        for key in (*survivors, "engawa-test-gw1:left-by-a-killed-run"):
            named_db.set(key, 1)
        (tmp_path / "test_inner.py").write_text(INNER_TESTS)
        # Loaded once pytest-django has set Django up (a ``-p`` plugin would come before).
        (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.conftest"]\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
        env.update(REDIS_URL=f"redis://127.0.0.1:{server.port}/1", PYTHONPATH=str(ROOT))
        env.pop("DATABASE_URL", None)
        inner = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", str(tmp_path / "test_inner.py")),
                *("-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)),
                *("-p", "no:randomly", "-n", "2", "--dist", "each"),
                *("-q", "--no-migrations", "--basetemp", str(tmp_path / "inner")),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert inner.returncode == 0, inner.stdout + inner.stderr
        assert "4 passed" in inner.stdout
        assert {key.decode() for key in named_db.scan_iter()} == survivors
        assert list(other_db.scan_iter()) == [b"engawa-test-gw0:in-another-database"]
    finally:
        server.stop()


def test_a_skip_says_what_is_missing_and_ci_fails_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match=r"^chromium is not installed$"):
        need_service("chromium", False)
    need_service("chromium", True)
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match=r"^REDIS_URL is not set, and CI"):
        need_service("REDIS_URL", False, "is not set")


def test_without_redis_url_a_redis_test_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "IN_CI", False)
    monkeypatch.setattr(conftest, "REDIS_URL", "")
    with pytest.raises(pytest.skip.Exception, match=r"^REDIS_URL is not set$"):
        need_redis()


def test_a_redis_that_does_not_answer_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as spare:  # a port nobody listens on
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]
    monkeypatch.setattr(conftest, "IN_CI", False)
    monkeypatch.setattr(conftest, "REDIS_URL", f"redis://:secret@127.0.0.1:{port}/3")
    with pytest.raises(pytest.skip.Exception) as skipped:
        need_redis()
    assert str(skipped.value) == f"Redis at 127.0.0.1:{port} (REDIS_URL) is not answering"


def test_a_postgresql_test_on_sqlite_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "IN_CI", False)
    monkeypatch.setattr(conftest, "connection", SimpleNamespace(vendor="sqlite"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^DATABASE_URL is not set \(this test needs"):
        need_postgres()
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    with pytest.raises(pytest.skip.Exception) as skipped:
        need_postgres()
    assert str(skipped.value) == "DATABASE_URL names a sqlite database, not PostgreSQL"


@pytest.mark.django_db
def test_on_sqlite_the_test_database_is_a_file_that_threads_share() -> None:
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    assert "memory" not in name and Path(name).is_file()
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_celery_eager_clears_a_join_flag_left_set_by_racing_threads() -> None:
    from celery._state import _set_task_join_will_block, task_join_will_block
    from celery.result import EagerResult

    _set_task_join_will_block(True)  # as two threads' overlapping eager calls can leave it
    celery_eager()
    assert not task_join_will_block()
    assert EagerResult("id", 1, "SUCCESS").get() == 1
