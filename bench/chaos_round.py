"""Chaos: a Celery worker killed with SIGKILL in the middle of a round.

A Redis server of its own (another port), a fresh PostgreSQL database ``engawa_chaos``, a
programme with 60 students and 30 families. A round is started; worker 1 (whose solve is
slowed by ``CHAOS_SOLVE_DELAY``) takes the task and is killed with SIGKILL while solving. The
task is acknowledged late and rejected on worker loss, so Redis hands it out again once its
visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, lowered to 5 s here) has passed; worker 2
picks it up. The round must exist exactly once, as a draft, with one set of proposals (no
student twice on a day). Writes ``bench/results/chaos.json`` (key ``worker_kill``).

    .venv/bin/python bench/chaos_round.py
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "results" / "chaos.json"
DB = "engawa_chaos"

from bench.common import free_port  # noqa: E402 (needs the path above)


def main() -> None:
    import psycopg

    server = "postgres://postgres@127.0.0.1:5432"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{DB}",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_TASK_DEFAULT_QUEUE": "chaos",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "0",
    }
    workers: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        import django

        django.setup()
        from accounts.models import Role
        from matching.models import Proposal, Round
        from matching.services.rounds import round_start
        from tests import factories

        coordinator = factories.UserFactory(role=Role.COORDINATOR, is_staff=True)
        program = factories.ProgramFactory(created_by=coordinator)
        for _ in range(60):
            factories.ApplicationFactory(program=program)
        for _ in range(30):
            factories.HostApplicationFactory(program=program, seats=2)

        slow = {**env, "CHAOS_SOLVE_DELAY": "30"}
        first = subprocess.Popen(
            [sys.executable, "bench/chaos_worker.py"],
            cwd=ROOT,
            env=slow,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        workers.append(first)
        time.sleep(4)  # the worker connects to Redis
        started = time.monotonic()
        rnd = round_start(program=program, by=coordinator)
        # Wait until worker 1 is solving (it says so), then kill it.
        assert first.stdout is not None
        for line in first.stdout:
            if b"solving round" in line:
                break
        solving_after = time.monotonic() - started
        status_at_kill = Round.objects.get(pk=rnd.pk).status
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
        second = subprocess.Popen(
            [sys.executable, "bench/chaos_worker.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers.append(second)
        deadline = time.monotonic() + 90
        status = status_at_kill
        while time.monotonic() < deadline:
            status = Round.objects.get(pk=rnd.pk).status
            if status in (Round.Status.DRAFT, Round.Status.FAILED):
                break
            time.sleep(0.5)
        recovered_after = time.monotonic() - killed_at
        rounds = Round.objects.filter(program=program).count()
        proposals = Proposal.objects.filter(round=rnd)
        students = list(proposals.values_list("student_application_id", "date"))
        result: dict[str, Any] = {
            "students": 60,
            "families": 30,
            "status_when_killed": status_at_kill,
            "solving_seconds_before_kill": round(solving_after, 2),
            "final_status": status,
            "recovered_seconds_after_kill": round(recovered_after, 2),
            "rounds_of_programme": rounds,
            "proposals": len(students),
            "duplicate_student_days": len(students) - len(set(students)),
            "visibility_timeout_seconds": 5,
            "ok": status == Round.Status.DRAFT
            and rounds == 1
            and len(students) == len(set(students))
            and len(students) > 0,
        }
        print(json.dumps(result, indent=2))
        data = json.loads(OUT.read_text()) if OUT.exists() else {}
        data["worker_kill"] = result
        OUT.write_text(json.dumps(data, indent=2) + "\n")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=10)
        redis.terminate()
        redis.wait(timeout=10)


if __name__ == "__main__":
    main()
