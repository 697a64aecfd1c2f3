"""Missed-message digests: once per batch of messages, in the member's language, by the task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from chat import digests, services
from chat.models import Conversation, Message

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
