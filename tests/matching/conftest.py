"""Fixtures of the matching tests: programmes, applications, a coordinator's client, and a round
started and run as a request would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Application, Program, Round
from matching.services.rounds import round_start
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Factories set a password on every user; Argon2 would make the bulk tests crawl."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def future_dates(*offsets: int) -> list[dt.date]:
    today = timezone.localdate()
    return [today + dt.timedelta(days=n) for n in offsets]


def future_days(*offsets: int) -> list[str]:
    """``future_dates`` as ISO strings: as the API takes them and ``Program.dates`` stores them."""
    return [day.isoformat() for day in future_dates(*offsets)]


@pytest.fixture
def program(db: None, coordinator: User) -> Program:
    return factories.ProgramFactory(created_by=coordinator, dates=future_days(30, 37))


@pytest.fixture
def coordinator_client(
    coordinator: User, client_for: Callable[[User | None], APIClient]
) -> APIClient:
    return client_for(coordinator)


@pytest.fixture
def make_student() -> Callable[..., Application]:
    """An active student application in ``program``; profile fields can be overridden."""

    def make(program: Program, dates: list[str] | None = None, **profile: Any) -> Application:
        user = factories.StudentProfileFactory(**profile).user
        return factories.ApplicationFactory(
            program=program, user=user, dates=dates if dates is not None else list(program.dates)
        )

    return make


@pytest.fixture
def make_host() -> Callable[..., Application]:
    """An active host application with ``seats`` per date; profile fields can be overridden."""

    def make(
        program: Program, seats: int = 1, dates: list[str] | None = None, **profile: Any
    ) -> Application:
        user = factories.HostProfileFactory(**profile).user
        return factories.HostApplicationFactory(
            program=program,
            user=user,
            dates=dates if dates is not None else list(program.dates),
            seats=seats,
        )

    return make


@pytest.fixture
def english() -> Iterator[None]:
    """Service messages in English, so that tests can read them (the default language is ja)."""
    with translation.override("en"):
        yield


@pytest.fixture
def run_rounds(django_capture_on_commit_callbacks: Any) -> Callable[..., Round]:
    """Start a round and let its on-commit task run (eager Celery), as a request would."""

    def start(program: Program, by: User, **levers: Any) -> Round:
        with django_capture_on_commit_callbacks(execute=True):
            rnd = round_start(program=program, by=by, **levers)
        rnd.refresh_from_db()
        return rnd

    return start
