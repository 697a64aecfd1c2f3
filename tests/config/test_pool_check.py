"""The pool's health check runs only on a connection that has sat idle."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection

from config.pool_check import CheckAfterIdle
from config.postgres.base import DatabaseWrapper


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Connection:
    """A stand-in: the check only needs something hashable and weakly referable."""


def checker(after: float) -> tuple[CheckAfterIdle, Clock, list[Any]]:
    clock, probed = Clock(), []
    return CheckAfterIdle(after, probe=probed.append, clock=clock), clock, probed


def test_a_connection_is_probed_on_its_first_hand_out_and_again_only_after_sitting_idle() -> None:
    check, clock, probed = checker(1.0)
    conn = Connection()
    check(conn)
    assert probed == [conn]
    clock.now += 0.5
    check(conn)
    clock.now += 0.9  # 0.9 s since the last hand-out, 1.4 s since the probe
    check(conn)
    assert probed == [conn]
    clock.now += 1.0
    check(conn)
    assert probed == [conn, conn]


def test_each_connection_keeps_its_own_time() -> None:
    check, clock, probed = checker(1.0)
    first, second = Connection(), Connection()
    check(first)
    clock.now += 0.1
    check(second)
    check(first)
    assert probed == [first, second]


def test_a_failed_probe_raises_and_the_next_hand_out_probes_again() -> None:
    clock = Clock()
    calls = []

    def probe(conn: Any) -> None:
        calls.append(conn)
        if len(calls) == 1:
            raise OSError("server closed the connection unexpectedly")

    check = CheckAfterIdle(1.0, probe=probe, clock=clock)
    conn = Connection()
    # The pool discards a connection whose check raised.
    with pytest.raises(OSError, match="closed the connection"):
        check(conn)
    check(conn)
    assert calls == [conn, conn]


def test_zero_probes_on_every_hand_out() -> None:
    check, _clock, probed = checker(0.0)
    conn = Connection()
    for _ in range(3):
        check(conn)
    assert probed == [conn] * 3


def test_a_negative_idle_time_is_refused() -> None:
    with pytest.raises(ValueError, match=r"cannot be negative, got -0\.5"):
        CheckAfterIdle(-0.5)


@pytest.fixture
def pooled(postgres: None) -> Iterator[DatabaseWrapper]:
    """Engawa's backend on a pool of its own (one connection), probing after 0.3 s idle."""
    settings_dict = {
        **connection.settings_dict,
        "OPTIONS": {
            **connection.settings_dict["OPTIONS"],
            "pool": {"min_size": 1, "max_size": 1, "timeout": 10},
        },
        "POOL_CHECK_AFTER": 0.3,
    }
    wrapper = DatabaseWrapper(settings_dict, alias="pool-check-test")
    try:
        yield wrapper
    finally:
        wrapper.close()
        wrapper.close_pool()


def backend_pid(wrapper: DatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_a_connection_broken_while_idle_is_replaced_before_a_request_gets_it(
    pooled: DatabaseWrapper,
) -> None:
    pid = backend_pid(pooled)
    pooled.close()
    # What a restarted server or a firewall does to a connection sitting in the pool.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    # Within the window the connection is handed out unprobed: the documented price.
    pooled.ensure_connection()
    assert pooled.connection.info.backend_pid == pid
    pooled.close()
    time.sleep(0.4)
    assert backend_pid(pooled) != pid


@pytest.mark.django_db
def test_when_every_probe_fails_the_error_is_raised_after_the_pool_is_gone_through(
    pooled: DatabaseWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    probed = []

    def refuse(self: CheckAfterIdle, conn: Any) -> None:
        probed.append(conn)
        raise psycopg.OperationalError("the server is starting up")

    monkeypatch.setattr(CheckAfterIdle, "__call__", refuse)
    with pytest.raises(OperationalError, match="starting up"):
        pooled.ensure_connection()
    # Handed back after each failed probe (the same connection, which is sound here), and
    # given up after max_size + 1 probes.
    assert len(probed) == 2
    assert pooled.connection is None
    assert pooled.pool.get_stats()["pool_available"] == 1
