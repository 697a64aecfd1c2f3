"""The Django admin's user pages as a coordinator sees them: no access fields, no passwords,
no superuser's account. What every model allows is tests/security/test_admin_access.py."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.permissions import COORDINATOR_GROUP, COORDINATOR_PERMISSIONS
from tests.accounts.conftest import STRONG_PASSWORD
from tests.factories import StudentProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_browser(client: Client) -> Client:
    call_command(
        "createcoordinator",
        "--email",
        "kimura@example.org",
        "--name",
        "木村 さくら",
        "--password",
        STRONG_PASSWORD,
        stdout=StringIO(),
    )
    # Log in through the admin's own form, as a person would.
    answer = client.post(
        reverse("admin:login"),
        {"username": "kimura@example.org", "password": STRONG_PASSWORD, "next": "/admin/"},
    )
    assert answer.status_code == 302, answer.content[:500]
    assert answer["Location"] == "/admin/"
    return client


def test_a_coordinator_logs_into_the_admin(coordinator_browser: Client) -> None:
    answer = coordinator_browser.get("/admin/")
    assert answer.status_code == 200
    assert b"kimura@example.org" in answer.content or "木村".encode() in answer.content


def test_a_coordinator_opens_a_students_change_page(coordinator_browser: Client) -> None:
    profile = StudentProfileFactory()
    for url in (
        reverse("admin:accounts_user_change", args=[profile.user.pk]),
        reverse("admin:accounts_studentprofile_change", args=[profile.pk]),
    ):
        assert coordinator_browser.get(url).status_code == 200, url


def test_a_coordinators_user_form_has_no_access_fields(coordinator_browser: Client) -> None:
    student = StudentProfileFactory().user
    page = coordinator_browser.get(reverse("admin:accounts_user_change", args=[student.pk]))
    form = page.context["adminform"].form
    assert set(form.fields) == {"name", "preferred_language", "is_active"}
    for name in ("is_staff", "is_superuser", "groups", "user_permissions", "password"):
        assert f'name="{name}"'.encode() not in page.content, name


def _post_user(browser: Client, user: User, **extra: str) -> int:
    data = {"name": "新しい 名前", "preferred_language": "en", "is_active": "on", **extra}
    return browser.post(reverse("admin:accounts_user_change", args=[user.pk]), data).status_code


def test_a_coordinator_changes_a_name_but_never_access_address_or_role(
    coordinator_browser: Client,
) -> None:
    student = StudentProfileFactory().user
    coordinator = User.objects.get(email="kimura@example.org")
    sent = {
        "is_staff": "on",
        "is_superuser": "on",
        "groups": str(coordinator.groups.get().pk),
        "email": "taken-over@example.org",
        "role": "coordinator",
    }
    assert _post_user(coordinator_browser, student, **sent) == 302
    student.refresh_from_db()
    assert student.name == "新しい 名前"
    assert (student.is_staff, student.is_superuser, student.groups.count()) == (False, False, 0)
    assert (student.email, student.role) != ("taken-over@example.org", "coordinator")
    # Nor on its own account.
    assert _post_user(coordinator_browser, coordinator, **sent) == 302
    coordinator.refresh_from_db()
    assert not coordinator.is_superuser


def test_a_coordinator_cannot_set_anyones_password(coordinator_browser: Client) -> None:
    student = StudentProfileFactory().user
    url = reverse("admin:auth_user_password_change", args=[student.pk])
    assert coordinator_browser.get(url).status_code == 403
    sent = {"password1": "Another-long-pass-42", "password2": "Another-long-pass-42"}
    assert coordinator_browser.post(url, sent).status_code == 403
    student.refresh_from_db()
    assert not student.check_password("Another-long-pass-42")


def test_a_coordinator_cannot_change_a_superusers_account(coordinator_browser: Client) -> None:
    superuser = User.objects.create_superuser("root@example.org", STRONG_PASSWORD, name="Root")
    page = coordinator_browser.get(reverse("admin:accounts_user_change", args=[superuser.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert _post_user(coordinator_browser, superuser, is_active="") == 403
    superuser.refresh_from_db()
    assert superuser.is_active


def test_a_superuser_keeps_the_access_fields(client: Client) -> None:
    superuser = User.objects.create_superuser("root@example.org", STRONG_PASSWORD, name="Root")
    client.force_login(superuser)
    student = StudentProfileFactory().user
    page = client.get(reverse("admin:accounts_user_change", args=[student.pk]))
    assert {"email", "is_staff", "is_superuser", "groups", "role"} <= set(
        page.context["adminform"].form.fields
    )
    url = reverse("admin:auth_user_password_change", args=[student.pk])
    assert client.get(url).status_code == 200


def test_a_group_of_an_older_release_loses_what_the_table_does_not_give() -> None:
    group = Group.objects.create(name=COORDINATOR_GROUP)
    group.permissions.set(Permission.objects.all())
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held == set(COORDINATOR_PERMISSIONS)


def test_a_student_is_kept_out_of_the_admin(client: Client, student: User) -> None:
    client.force_login(student)
    answer = client.get("/admin/")
    assert answer.status_code == 302
    assert "/admin/login/" in answer["Location"]
