"""Pages for everyone: landing, sign-up, log-in/out, password reset, language switch."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Meet your neighbours"), ("ja", 'lang="ja"')]
)
def test_landing_page_renders_in_both_languages(page_client, language: str, expected: str) -> None:
    response = page_client(language=language).get(reverse("frontend:home"))
    assert response.status_code == 200
    assert expected in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["frontend:home", "frontend:signup", "frontend:login", "frontend:password_reset"],
)
def test_public_pages_have_no_inline_script_or_style(page_client, name: str) -> None:
    html = page_client(language="en").get(reverse(name)).content.decode()
    assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html


def test_every_field_has_a_label(page_client) -> None:
    html = page_client(language="en").get(reverse("frontend:signup")).content.decode()
    for field_id in ("id_name", "id_email", "id_password"):
        assert f'for="{field_id}"' in html


def test_signup_creates_a_student_logs_in_and_starts_the_profile(page_client) -> None:
    client = page_client(language="en")
    response = client.post(
        reverse("frontend:signup"),
        {"role": "student", "name": "An", "email": "an@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("frontend:profile")
    user = User.objects.get(email="an@example.org")
    assert user.role == Role.STUDENT
    assert user.preferred_language == "en"
    assert client.get(reverse("frontend:dashboard")).status_code == 200


def test_signup_in_japanese_remembers_japanese(page_client) -> None:
    page_client(language="ja").post(
        reverse("frontend:signup"),
        {"role": "host", "name": "田中", "email": "tanaka@example.org", "password": PASSWORD},
    )
    assert User.objects.get(email="tanaka@example.org").preferred_language == "ja"


def test_signup_errors_appear_beside_their_field_in_the_users_language(page_client) -> None:
    UserFactory(email="taken@example.org")
    response = page_client(language="en").post(
        reverse("frontend:signup"),
        {"role": "student", "name": "An", "email": "taken@example.org", "password": "12345678"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The service's message, in the error list that belongs to the e-mail field.
    assert re.search(r'id="id_email_error"[^>]*>.*already exists', html, re.S)
    assert 'id="id_password_error"' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.filter(email="taken@example.org").count() == 1

    ja = page_client(language="ja").post(
        reverse("frontend:signup"),
        {"role": "student", "name": "An", "email": "taken@example.org", "password": PASSWORD},
    )
    assert "already exists" not in ja.content.decode()


def test_signup_cannot_create_a_coordinator(page_client) -> None:
    response = page_client(language="en").post(
        reverse("frontend:signup"),
        {"role": "coordinator", "name": "X", "email": "x@example.org", "password": PASSWORD},
    )
    assert response.status_code == 200
    assert 'id="id_role_error"' in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


def test_login_with_email_and_logout(page_client, student: User) -> None:
    client = page_client(language="en")
    response = client.post(
        reverse("frontend:login"), {"username": student.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("frontend:dashboard")
    assert client.post(reverse("frontend:logout")).status_code == 302
    assert client.get(reverse("frontend:dashboard")).status_code == 302


def test_wrong_password_shows_an_error_and_lockout_uses_our_page(page_client, student) -> None:
    client = page_client(language="en")
    response = client.post(reverse("frontend:login"), {"username": student.email, "password": "x"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    for _attempt in range(6):
        response = client.post(
            reverse("frontend:login"), {"username": student.email, "password": "x"}
        )
    assert response.status_code == 429
    assert "Too many" in response.content.decode()
    assert any(t.name == "frontend/locked_out.html" for t in response.templates)


def test_password_reset_mail_goes_out_in_the_accounts_language(
    page_client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "http://testserver"
    user = UserFactory(email="reset@example.org", preferred_language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(language="en").post(
            reverse("frontend:password_reset"), {"email": user.email}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "/password-reset/" in message.body
    assert "Someone (we hope you)" not in message.body  # Japanese, as the account says

    link = re.search(r"http://testserver(/password-reset/[^\s]+/)", message.body).group(1)
    client = page_client(language="en")
    follow = client.get(link, follow=True)
    assert follow.status_code == 200
    new = "another-long-pass-phrase"
    done = client.post(follow.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.parametrize("exists", [True, False], ids=["account", "no-account"])
def test_a_reset_request_only_enqueues_the_task_whether_or_not_the_account_exists(
    page_client, monkeypatch, django_capture_on_commit_callbacks, exists: bool
) -> None:
    """Both answers take the same path: the request enqueues the task on commit and sends
    nothing itself; the task looks the account up."""
    from accounts import tasks

    if exists:
        UserFactory(email="someone@example.org")
    enqueued: list[str] = []
    monkeypatch.setattr(tasks.password_reset_send, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = page_client(language="en").post(
            reverse("frontend:password_reset"), {"email": "someone@example.org"}
        )
    assert response.status_code == 302
    assert response.url == reverse("frontend:password_reset_done")
    assert enqueued == ["someone@example.org"]
    assert mail.outbox == []


def test_the_reset_task_sends_only_to_an_active_account(db) -> None:
    from accounts.tasks import password_reset_send

    UserFactory(email="active@example.org")
    UserFactory(email="gone@example.org", is_active=False)
    assert password_reset_send("ACTIVE@example.org") == 1
    assert password_reset_send("gone@example.org") == 0
    assert password_reset_send("nobody@example.org") == 0
    assert [m.to for m in mail.outbox] == [["active@example.org"]]


def test_language_switch_is_remembered_on_the_account(page_client, student: User) -> None:
    client = page_client(student, language="en")
    response = client.post(
        reverse("frontend:set_language"), {"language": "ja", "next": reverse("frontend:profile")}
    )
    assert response.status_code == 302
    assert response.url == reverse("frontend:profile")
    student.refresh_from_db()
    assert student.preferred_language == "ja"
    assert 'lang="ja"' in client.get(reverse("frontend:profile")).content.decode()


def test_language_switch_for_visitors_uses_the_cookie(page_client) -> None:
    client = page_client()
    client.post(reverse("frontend:set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("frontend:home")).content.decode()
    client.post(reverse("frontend:set_language"), {"language": "ja", "next": "/"})
    assert 'lang="ja"' in client.get(reverse("frontend:home")).content.decode()


def test_dashboard_needs_login(page_client) -> None:
    response = page_client().get(reverse("frontend:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("frontend:login"))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_dashboard_per_role(page_client, student, host, language: str) -> None:
    for user in (student, host):
        response = page_client(user, language=language).get(reverse("frontend:dashboard"))
        assert response.status_code == 200
        assert user.name in response.content.decode()


def test_coordinator_dashboard_goes_to_the_coordinator_pages(page_client, coordinator) -> None:
    response = page_client(coordinator, language="en").get(reverse("frontend:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("frontend:coordinator:programs")
