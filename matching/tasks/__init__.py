"""Celery tasks of the matching app (thin: ids in, one service call). Celery's autodiscovery
imports this package; the submodules register the tasks."""

from matching.tasks import deliveries, proposals, reoffers, rounds

__all__ = ["deliveries", "proposals", "reoffers", "rounds"]
