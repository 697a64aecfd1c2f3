"""matching.services.announcements: who receives an announcement, in which language, and when."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives

from accounts.models import User
from chat.groups import user_group
from matching.models import Application, Delivery, Program
from matching.services.announcements import announcement_recipients, announcement_send
from tests import factories

pytestmark = pytest.mark.django_db

TEXTS = {
    "subject_ja": "大雨のお知らせ",
    "subject_en": "Heavy rain notice",
    "body_ja": "明日の訪問は予定どおりです。",
    "body_en": "Tomorrow's visits go ahead as planned.",
}


@pytest.fixture
def program(coordinator: User) -> Program:
    return factories.ProgramFactory(created_by=coordinator)


def test_recipients_are_active_applicants_once(program: Program) -> None:
    student = factories.ApplicationFactory(program=program)
    family = factories.HostApplicationFactory(program=program)
    factories.ApplicationFactory(program=program, status=Application.Status.WITHDRAWN)
    gone = factories.ApplicationFactory(program=program)
    User.objects.filter(pk=gone.user_id).update(is_active=False)
    factories.ApplicationFactory()  # another programme
    assert {u.pk for u in announcement_recipients(program=program)} == {
        student.user_id,
        family.user_id,
    }


def test_nothing_is_sent_before_commit(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    factories.ApplicationFactory(program=program)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert announcement_send(program=program, by=coordinator, **TEXTS) == 1
    assert mailoutbox == [] and callbacks


def test_only_coordinators_announce(program: Program, student: User) -> None:
    with pytest.raises(PermissionDenied):
        announcement_send(program=program, by=student, **TEXTS)


def test_each_recipient_gets_one_email_and_one_live_event_in_their_language(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ja = factories.ApplicationFactory(
        program=program, user=factories.StudentProfileFactory(user__preferred_language="ja").user
    ).user
    en = factories.HostApplicationFactory(program=program).user
    layer = get_channel_layer()
    channels = {}
    for user in (ja, en):
        channels[user.pk] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(user.pk), channels[user.pk])
    with django_capture_on_commit_callbacks(execute=True):
        announcement_send(program=program, by=coordinator, **TEXTS)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ja.email, en.email])
    mail = {m.to[0]: m for m in mailoutbox}
    assert TEXTS["subject_ja"] in mail[ja.email].subject
    assert TEXTS["body_en"] in mail[en.email].body
    received = {
        uid: async_to_sync(layer.receive)(channel)["event"] for uid, channel in channels.items()
    }
    assert received[ja.pk]["kind"] == "announcement"
    assert received[ja.pk]["title"] == TEXTS["subject_ja"]
    assert received[en.pk]["body"] == TEXTS["body_en"]


def test_an_smtp_failure_retries_only_that_recipient(
    program: Program,
    coordinator: User,
    mailoutbox: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    unlucky = factories.ApplicationFactory(program=program).user
    lucky = factories.HostApplicationFactory(program=program).user
    real_send = EmailMultiAlternatives.send
    tries: list[str] = []

    def flaky(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        tries.append(self.to[0])
        if tries.count(unlucky.email) == 1 and self.to == [unlucky.email]:
            raise SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        assert announcement_send(program=program, by=coordinator, **TEXTS) == 2
    assert sorted(tries) == sorted([unlucky.email, unlucky.email, lucky.email])
    assert sorted(m.to[0] for m in mailoutbox) == sorted([unlucky.email, lucky.email])
    sent = Delivery.objects.filter(kind="announcement", sent_at__isnull=False)
    assert sent.count() == 2
    assert sent.get(user=unlucky).attempts == 2
