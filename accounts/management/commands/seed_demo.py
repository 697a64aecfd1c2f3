"""``manage.py seed_demo [--reset]``: a realistic demo of Engawa around Musashino.

accounts seeds the people (``accounts.management.demo_people``); every app downstream of it
adds its part through the seeders it registered in ``accounts.demo`` (matching: an open
home-visit programme and a language exchange that most people have applied to). The command
prints a line per stage as it goes, then the demo logins.

Idempotent: a person or programme that exists is left as it is, so running it twice (as
``make run`` does on every start) changes nothing. ``--reset`` deletes the demo data first.
Deterministic: the varied details come from one seeded random generator.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.demo import DemoPeople, demo_seeders
from accounts.management.demo_people import (
    COORDINATOR_EMAIL,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    people_seed,
)
from accounts.models import Role, User

SEED = 2026


class Command(BaseCommand):
    help = "Load Engawa's demo data (idempotent); --reset deletes it first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data first, then load it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            # Accounts with a published password have no place on a real site.
            raise CommandError("seed_demo refuses to run with ENGAWA_ENV=production.")
        if options["reset"]:
            self._reset()
        rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
        with transaction.atomic():
            coordinator, students, families = people_seed(rng, self._stage())
        people = DemoPeople(coordinator=coordinator, students=students, families=families, rng=rng)
        for seeder in demo_seeders():
            seeder.seed(people, self._stage())
        self._print_logins(students[0], families[0])

    def _say(self, line: str, started: float) -> None:
        # Flushed at once: under ``make run`` the output is a pipe, not a terminal.
        self.stdout.write(f"seed_demo: {line} in {time.perf_counter() - started:.1f} s")
        self.stdout.flush()

    def _stage(self) -> Any:
        """A ``say`` for one stage: each line it reports is timed from the previous one."""
        mark = [time.perf_counter()]

        def say(line: str) -> None:
            self._say(line, mark[0])
            mark[0] = time.perf_counter()

        return say

    def _reset(self) -> None:
        demo_users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        with transaction.atomic():
            # Rows of other apps that protect the demo accounts (programmes their coordinator
            # created) go first.
            for seeder in reversed(demo_seeders()):
                if seeder.reset is not None:
                    seeder.reset(demo_users)
            deleted = demo_users.count()
            demo_users.delete()
        self.stdout.write(f"Deleted {deleted} demo accounts and their data.")

    def _print_logins(self, student: User, family: User) -> None:
        counts = {role: User.objects.filter(role=role).count() for role in Role.values}
        lines = [
            "Engawa demo data is ready: "
            f"{counts['student']} students, {counts['host']} host families, "
            f"{counts['coordinator']} coordinator(s).",
            "",
            "Demo logins (web pages and POST /api/auth/token/), all with the password:",
            f"    {DEMO_PASSWORD}",
            "",
            f"  coordinator  {COORDINATOR_EMAIL}",
            f"  student      {student.email}",
            f"  host family  {family.email}",
        ]
        width = max(len(line) for line in lines) + 4
        self.stdout.write("=" * width)
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write("=" * width)
