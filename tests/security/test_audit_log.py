"""Security events are logged as structured lines that name no personal data."""

from __future__ import annotations

import logging

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _events(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "engawa.security"]


def test_failed_login_is_logged_without_the_address(api, student, caplog):
    caplog.set_level(logging.INFO, logger="engawa.security")
    api.post("/api/auth/token/", {"email": student.email, "password": "wrong-password"})
    (event,) = [r for r in _events(caplog) if r.event == "login_failed"]
    assert student.email not in event.getMessage()
    assert student.email not in str(event.__dict__)
    assert len(event.account) == 16


def test_refused_access_is_logged_with_user_and_path(client_for, student, caplog):
    caplog.set_level(logging.INFO, logger="engawa.security")
    answer = client_for(student).post("/api/programs/", {"name": "x"}, format="json")
    assert answer.status_code == 403
    (event,) = [r for r in _events(caplog) if r.event == "access_refused"]
    assert event.user_id == student.pk
    assert event.path == "/api/programs/"
    assert event.status == 403


def test_session_login_is_logged(client, student, caplog):
    caplog.set_level(logging.INFO, logger="engawa.security")
    answer = client.post("/login/", {"username": student.email, "password": PASSWORD})
    assert answer.status_code == 302
    assert [r.user_id for r in _events(caplog) if r.event == "login"] == [student.pk]


def test_admin_action_is_logged(client, coordinator, caplog):
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    caplog.set_level(logging.INFO, logger="engawa.security")
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(type(coordinator)),
        object_id=str(coordinator.pk),
        object_repr="x",
        action_flag=ADDITION,
    )
    (event,) = [r for r in _events(caplog) if r.event == "admin_action"]
    assert event.user_id == coordinator.pk
