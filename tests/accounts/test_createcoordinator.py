"""``manage.py createcoordinator``: flags, the password prompt, and its errors."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import User
from accounts.permissions import COORDINATOR_GROUP
from tests.accounts.conftest import STRONG_PASSWORD

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("createcoordinator", *args, stdout=out)
    return out.getvalue()


def test_creates_a_staff_coordinator_with_the_given_password() -> None:
    out = run(
        "--email",
        "Kimura@Musashino-IA.example",
        "--name",
        "木村 さくら",
        "--password",
        STRONG_PASSWORD,
    )
    assert "kimura@musashino-ia.example" in out
    user = User.objects.get(email="kimura@musashino-ia.example")
    assert user.role == "coordinator"
    assert user.is_staff and user.is_active
    assert user.name == "木村 さくら"
    assert user.check_password(STRONG_PASSWORD)
    assert user.groups.filter(name=COORDINATOR_GROUP).exists()


def prompts(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    asked: list[str] = []
    replies: Iterator[str] = iter(answers)

    def fake_getpass(prompt: str = "Password: ") -> str:
        asked.append(prompt)
        return next(replies)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    return asked


def test_prompts_twice_for_the_password_when_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = prompts(monkeypatch, STRONG_PASSWORD, STRONG_PASSWORD)
    run("--email", "kimura@example.org", "--name", "Kimura")
    assert len(asked) == 2
    assert User.objects.get(email="kimura@example.org").check_password(STRONG_PASSWORD)


def test_two_different_prompted_passwords_create_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    prompts(monkeypatch, STRONG_PASSWORD, STRONG_PASSWORD + "x")
    with pytest.raises(CommandError, match="differ"):
        run("--email", "kimura@example.org", "--name", "Kimura")
    assert not User.objects.exists()


def test_a_weak_prompted_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    prompts(monkeypatch, "short", "short")
    with pytest.raises(CommandError, match="password"):
        run("--email", "kimura@example.org", "--name", "Kimura")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--email", "not-an-email", "--name", "Kimura", "--password", STRONG_PASSWORD], "email"),
        (["--email", "k@example.org", "--name", "  ", "--password", STRONG_PASSWORD], "name"),
        (["--email", "k@example.org", "--name", "Kimura", "--password", "12345"], "password"),
    ],
)
def test_bad_values_name_the_field_and_create_nothing(args: list[str], field: str) -> None:
    with pytest.raises(CommandError, match=field):
        run(*args)
    assert not User.objects.exists()


def test_a_taken_email_is_refused_whatever_its_case() -> None:
    run("--email", "kimura@example.org", "--name", "Kimura", "--password", STRONG_PASSWORD)
    with pytest.raises(CommandError, match="email"):
        run("--email", "KIMURA@example.org", "--name", "Other", "--password", STRONG_PASSWORD)
    assert User.objects.count() == 1


def test_email_and_name_are_required() -> None:
    with pytest.raises(CommandError):
        run("--name", "Kimura", "--password", STRONG_PASSWORD)
    with pytest.raises(CommandError):
        run("--email", "kimura@example.org", "--password", STRONG_PASSWORD)


def test_the_error_says_what_is_wrong_with_each_field() -> None:
    with translation.override("en"), pytest.raises(CommandError) as caught:
        run("--email", "kimura@", "--name", "x" * 151, "--password", STRONG_PASSWORD)
    assert str(caught.value) == (
        "email: Enter a valid email address.; "
        "name: Ensure this value has at most 150 characters (it has 151)."
    )
    assert not User.objects.exists()


def test_the_service_refuses_an_address_taken_after_the_check() -> None:
    from django.core.exceptions import ValidationError

    from accounts.services import coordinator_create

    coordinator_create(email="kimura@example.org", name="Kimura", password=STRONG_PASSWORD)
    with pytest.raises(ValidationError) as caught:
        coordinator_create(email="Kimura@example.org", name="Other", password=STRONG_PASSWORD)
    assert list(caught.value.message_dict) == ["email"]
    assert User.objects.count() == 1
