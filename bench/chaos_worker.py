"""A Celery worker for the chaos bench: Engawa's app, with each round's solve slowed by
``CHAOS_SOLVE_DELAY`` seconds so that the bench can kill the worker in the middle of it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from matching.services import rounds  # noqa: E402

_solve = rounds._run_home_visit
DELAY = float(os.environ.get("CHAOS_SOLVE_DELAY", "0"))


def _slow_solve(rnd: Any) -> Any:
    print(f"solving round {rnd.pk}", flush=True)
    time.sleep(DELAY)
    return _solve(rnd)


rounds._run_home_visit = _slow_solve

from config.celery import app  # noqa: E402

if __name__ == "__main__":
    queue = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
    app.worker_main(["worker", "-Q", queue, "-c", "1", "--pool", "solo", "-l", "warning"])
