"""Celery tasks of the matching app (thin: ids in, one service call). Celery's autodiscovery
imports this package; the submodules register the tasks."""

from matching.tasks import announcements, proposals, rounds

__all__ = ["announcements", "proposals", "rounds"]
