"""The chat admin: a coordinator reads a reported message only while a report on its
conversation is open; a superuser always."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from accounts.permissions import coordinator_group
from chat.models import Report
from tests import factories
from tests.security.conftest import SECRET_BODY, World, build_world

pytestmark = pytest.mark.django_db

HIDDEN = "Shown only while a report on this conversation is open."


@pytest.fixture
def world() -> World:
    return build_world()


def _coordinator_browser(client: Client, world: World) -> Client:
    coordinator = world.users["coordinator"]
    assert coordinator is not None
    coordinator.groups.add(coordinator_group())
    client.force_login(coordinator)
    return client


def _report_page(client: Client, report: Report) -> str:
    answer = client.get(reverse("admin:chat_report_change", args=[report.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_coordinator_reads_the_reported_message_while_the_report_is_open(
    client: Client, world: World
) -> None:
    page = _report_page(_coordinator_browser(client, world), world.report)
    assert SECRET_BODY in page


def test_a_coordinator_does_not_read_it_once_no_report_is_open(
    client: Client, world: World
) -> None:
    Report.objects.filter(pk=world.report.pk).update(status=Report.Status.RESOLVED)
    page = _report_page(_coordinator_browser(client, world), world.report)
    assert SECRET_BODY not in page
    coordinator = world.users["coordinator"]
    assert coordinator is not None
    with translation.override(coordinator.preferred_language):
        assert translation.gettext(HIDDEN) in page


def test_a_coordinator_has_no_message_admin(client: Client, world: World) -> None:
    browser = _coordinator_browser(client, world)
    assert browser.get(reverse("admin:chat_message_changelist")).status_code == 403
    url = reverse("admin:chat_message_change", args=[world.message.pk])
    assert browser.get(url).status_code == 403


def test_a_superuser_reads_every_reported_message(client: Client, world: World) -> None:
    Report.objects.filter(pk=world.report.pk).update(status=Report.Status.RESOLVED)
    superuser: User = factories.UserFactory(role=Role.COORDINATOR, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert SECRET_BODY in _report_page(client, world.report)
