"""``manage.py createcoordinator --email E --name N [--password P]``."""

from __future__ import annotations

import getpass
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import coordinator_create, email_free


class CoordinatorForm(forms.Form):
    """The command's input, checked as sign-up checks it: the model's fields, an address no
    account has in any case, a password Django's validators accept."""

    email = User._meta.get_field("email").formfield()
    name = User._meta.get_field("name").formfield()
    password = forms.CharField(strip=False)

    def clean_email(self) -> str:
        return email_free(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("password"):
            candidate = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(data["password"], user=candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


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
        form = CoordinatorForm(
            {"email": options["email"], "name": options["name"], "password": password}
        )
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            user = coordinator_create(**form.cleaned_data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            raise CommandError(problems) from exc
        self.stdout.write(self.style.SUCCESS(f"Coordinator {user.email} created."))
