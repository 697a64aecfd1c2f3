"""Missed-message digests: once per batch of messages, in the member's language, through the
one e-mail path (a Delivery row sent by the retrying task)."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from accounts.models import User
from chat import digests, services
from chat.models import Conversation, Message
from matching.models import Delivery
from matching.services import deliveries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.CHAT_RATE_PER_SECOND = 10_000


def _age(conversation: Conversation, minutes: int) -> None:
    Message.objects.filter(conversation=conversation).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_digest_goes_once_in_the_members_language(
    conversation: Conversation,
    student: User,
    host: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    student.preferred_language = "ja"
    student.save()
    for body in ("first", "second"):
        services.message_post(conversation_id=conversation.pk, sender=host, body=body)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send() == 0  # not 15 minutes old yet
    _age(conversation, 16)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send() == 1
    [email] = mail.outbox
    assert email.to == [student.email]
    assert "未読メッセージ" in email.subject
    assert "first" in email.body
    assert "second" in email.body
    assert f"/messages/{conversation.pk}/" in email.body
    assert "未読" in email.alternatives[0][0]
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send() == 0  # never twice for the same messages
    services.message_post(conversation_id=conversation.pk, sender=host, body="third")
    _age(conversation, 20)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send() == 1
    assert "third" in mail.outbox[1].body
    assert "first" not in mail.outbox[1].body
    assert Delivery.objects.filter(kind="chat_digest", sent_at__isnull=False).count() == 2


def test_read_messages_get_no_digest(
    conversation: Conversation, student: User, host: User, django_capture_on_commit_callbacks: Any
) -> None:
    message, _ = services.message_post(conversation_id=conversation.pk, sender=host, body="hi")
    services.message_read(conversation_id=conversation.pk, user=student, message_id=message.pk)
    _age(conversation, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send() == 0
    assert mail.outbox == []


def test_the_digest_task_runs_the_service(
    conversation: Conversation, student: User, host: User, django_capture_on_commit_callbacks: Any
) -> None:
    from chat.schedule import BEAT_SCHEDULE
    from chat.tasks import chat_digest_send

    services.message_post(conversation_id=conversation.pk, sender=host, body="hello")
    _age(conversation, 16)
    with django_capture_on_commit_callbacks(execute=True):
        assert chat_digest_send.delay().get() == 1
    assert mail.outbox[0].subject.startswith("Engawa")  # the student's language is en here
    assert BEAT_SCHEDULE["chat-digest-send"]["task"] == chat_digest_send.name


def test_a_digest_that_smtp_refused_is_retried_and_sent_once(
    conversation: Conversation,
    student: User,
    host: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from config.celery import app
    from matching.tasks import deliveries as tasks

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    services.message_post(conversation_id=conversation.pk, sender=host, body="are you there?")
    _age(conversation, 16)
    real_send = EmailMultiAlternatives.send
    calls: list[int] = []

    def flaky(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.digests_send() == 1
    assert len(calls) == 2 and len(mail.outbox) == 1
    (delivery,) = Delivery.objects.filter(kind="chat_digest")
    assert delivery.sent_at is not None and delivery.attempts == 2
    assert "are you there?" in mail.outbox[0].body
    assert tasks.delivery_send.apply(args=[delivery.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_digest_whose_messages_are_gone_is_not_sent(
    conversation: Conversation, student: User, host: User, django_capture_on_commit_callbacks: Any
) -> None:
    services.message_post(conversation_id=conversation.pk, sender=host, body="soon purged")
    _age(conversation, 16)
    with django_capture_on_commit_callbacks(execute=False):
        assert digests.digests_send() == 1
    Message.objects.filter(conversation=conversation).delete()
    (delivery,) = Delivery.objects.filter(kind="chat_digest")
    assert deliveries.delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert mail.outbox == [] and delivery.sent_at is None
    assert delivery.last_error == "nothing left to send"
