"""What can be checked of the deployment without Docker: the compose file, the Dockerfile,
CI's script and the README's two commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import celery_eager, worker_redis_url

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
    assert "--proxy-headers" in daphne
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


@pytest.mark.parametrize(
    ("worker", "expected"),
    [
        (None, "redis://127.0.0.1:6379/15"),
        ("", "redis://127.0.0.1:6379/15"),
        ("gw0", "redis://127.0.0.1:6379/15"),
        ("gw1", "redis://127.0.0.1:6379/14"),
        ("gw3", "redis://127.0.0.1:6379/12"),
    ],
)
def test_each_xdist_worker_has_its_own_redis_database(worker: str | None, expected: str) -> None:
    assert worker_redis_url("redis://127.0.0.1:6379/15", worker) == expected


def test_worker_redis_databases_wrap_below_zero_and_keep_the_rest_of_the_url() -> None:
    assert worker_redis_url("redis://:pw@cache:6380", "gw1") == "redis://:pw@cache:6380/15"
    assert worker_redis_url("redis://cache/2?timeout=3", "gw2") == "redis://cache/0?timeout=3"


def test_celery_eager_clears_a_join_flag_left_set_by_racing_threads() -> None:
    from celery._state import _set_task_join_will_block, task_join_will_block
    from celery.result import EagerResult

    _set_task_join_will_block(True)  # as two threads' overlapping eager calls can leave it
    celery_eager()
    assert not task_join_will_block()
    assert EagerResult("id", 1, "SUCCESS").get() == 1
