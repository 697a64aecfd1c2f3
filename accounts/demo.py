"""The demo data's registry: ``manage.py seed_demo`` seeds the demo people (accounts' own), then
runs each seeder that an app downstream of accounts registered in its ``AppConfig.ready()``
(matching adds programmes and applications). accounts knows nothing of what they seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User


@dataclass(frozen=True)
class DemoPeople:
    """The demo accounts, in a fixed order, and the one seeded generator every stage draws from
    in turn (so the whole demo is the same on every run)."""

    coordinator: User
    students: list[User]
    families: list[User]
    rng: random.Random


@dataclass(frozen=True)
class DemoSeeder:
    """``seed`` adds its app's demo rows (idempotent) and reports each stage through ``say``
    (one line: what and how many); ``reset`` deletes what would keep the demo accounts from
    being deleted (rows that protect them)."""

    name: str
    seed: Callable[[DemoPeople, Callable[[str], None]], None]
    reset: Callable[[QuerySet[User]], None] | None = None


_SEEDERS: dict[str, DemoSeeder] = {}


def demo_seeder_register(seeder: DemoSeeder) -> None:
    """Add ``seeder`` (registering a name again replaces it: ``ready()`` may run twice)."""
    _SEEDERS[seeder.name] = seeder


def demo_seeders() -> list[DemoSeeder]:
    """The registered seeders in registration order: the order of INSTALLED_APPS."""
    return list(_SEEDERS.values())
