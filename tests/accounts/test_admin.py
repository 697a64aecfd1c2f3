"""The Django admin is the coordinators' back office: every registered model opens for them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import STRONG_PASSWORD
from tests.factories import HostProfileFactory, StudentProfileFactory

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


@pytest.mark.parametrize(
    "model",
    sorted(admin.site._registry, key=lambda m: m._meta.label),
    ids=lambda m: m._meta.label,
)
def test_every_changelist_opens_for_a_coordinator(coordinator_browser: Client, model: type) -> None:
    StudentProfileFactory()
    HostProfileFactory()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    answer = coordinator_browser.get(url)
    assert answer.status_code == 200, (url, answer.status_code)


def test_a_coordinator_opens_a_students_change_page(coordinator_browser: Client) -> None:
    profile = StudentProfileFactory()
    for url in (
        reverse("admin:accounts_user_change", args=[profile.user.pk]),
        reverse("admin:accounts_studentprofile_change", args=[profile.pk]),
        reverse("admin:accounts_user_add"),
    ):
        assert coordinator_browser.get(url).status_code == 200, url


def test_a_student_is_kept_out_of_the_admin(client: Client, student: User) -> None:
    client.force_login(student)
    answer = client.get("/admin/")
    assert answer.status_code == 302
    assert "/admin/login/" in answer["Location"]
