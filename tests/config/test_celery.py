"""The Celery app's policy: JSON only, late acks, time limits, and on-commit enqueueing."""

from __future__ import annotations

from config.celery import app


def test_messages_are_json_only() -> None:
    assert list(app.conf.accept_content) == ["json"]  # Celery's default
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"


def test_a_task_is_acknowledged_only_after_it_ran() -> None:
    # A worker that dies mid-task gives the message back instead of losing it.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_tasks_have_time_limits() -> None:
    hard, soft = app.conf.task_time_limit, app.conf.task_soft_time_limit
    assert hard and soft and 0 < soft < hard
    # The broker must not hand a running task to a second worker before the hard limit.
    assert app.conf.broker_transport_options["visibility_timeout"] > hard


def test_a_dead_workers_task_is_looked_for_at_every_sweep() -> None:
    # kombu's default scans for unacknowledged messages at every 10th sweep only: a worker
    # killed mid-round left the round "running" for 92 s past a 5 s visibility timeout
    # (bench/chaos_round.py); with every sweep scanning, the wait is one sweep (10 s).
    assert app.conf.broker_transport_options["unacked_restore_throttle"] == 1


def test_there_is_no_result_backend() -> None:
    assert not app.conf.result_backend


def test_tasks_can_be_enqueued_on_commit() -> None:
    assert hasattr(app.Task, "delay_on_commit")
    assert hasattr(app.Task, "apply_async_on_commit")


def test_the_housekeeping_task_is_registered_and_scheduled() -> None:
    from accounts.schedule import BEAT_SCHEDULE

    app.loader.import_default_modules()
    assert "accounts.ws_tickets_purge" in app.tasks
    entry = BEAT_SCHEDULE["accounts.ws_tickets_purge"]
    assert entry["task"] in app.tasks
    assert 0 < float(entry["schedule"]) <= 24 * 3600
    # config/settings.py merges every app's schedule into what beat runs.
    assert app.conf.beat_schedule["accounts.ws_tickets_purge"]["task"] == entry["task"]
