"""``manage.py createcoordinator --email E --name N [--password P]``."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import coordinator_create


class Command(BaseCommand):
    help = "Create a coordinator account (coordinators never sign themselves up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--password", help="prompted for when not given")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = coordinator_create(
                email=options["email"], name=options["name"], password=password
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(problems) from exc
        self.stdout.write(self.style.SUCCESS(f"Coordinator {user.email} created."))
