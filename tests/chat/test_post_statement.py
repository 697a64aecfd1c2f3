"""A member's message in one statement on PostgreSQL (``chat.post_statement``): it stores
exactly what the general post would, and leaves every refusal to it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from chat import post_statement, services
from chat.models import Block, Conversation, Membership, Message, Report
from chat.selectors import message_payload
from tests.chat.conftest import make_conversation


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.CHAT_RATE_PER_SECOND = 10_000


def _post(conversation: Conversation, sender: User, body: str, client_id: str = "") -> Message:
    message, created = services.message_post(
        conversation_id=conversation.pk, sender=sender, body=body, client_id=client_id
    )
    assert created
    return message


@pytest.mark.django_db(transaction=True)
def test_a_members_message_is_one_statement(postgres: None, sent: list[Any]) -> None:
    conversation = make_conversation()
    members = {m.user.role: m.user for m in conversation.memberships.select_related("user")}
    student, host = members[Role.STUDENT], members[Role.HOST]
    _post(conversation, host, "first")
    with CaptureQueriesContext(connection) as queries:
        message = _post(conversation, student, "こんにちは", client_id="c-1")
    assert len(queries) == 1, [q["sql"][:60] for q in queries.captured_queries]
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.sender_id, stored.body, stored.client_id) == (
        2,
        student.pk,
        "こんにちは",
        "c-1",
    )
    assert message_payload(message) == message_payload(stored)
    conversation.refresh_from_db()
    assert conversation.last_seq == 2
    marks = dict(conversation.memberships.values_list("user_id", "last_read_seq"))
    assert marks == {host.pk: 1, student.pk: 2}  # whoever writes has read everything before
    broadcast, notice = sent[-2:]
    assert broadcast[1]["message"] == message_payload(stored)
    assert notice[1]["message"] == message.pk


@pytest.mark.django_db
def test_it_stores_nothing_where_the_general_post_refuses(
    postgres: None, coordinator: User
) -> None:
    closed, blocked, reported, fine = (make_conversation() for _ in range(4))
    Conversation.objects.filter(pk=closed.pk).update(status=Conversation.Status.CLOSED)
    blocker = blocked.memberships.first()
    assert blocker is not None
    Block.objects.create(conversation=blocked, blocker_id=blocker.user_id)
    member = fine.memberships.first()
    assert member is not None
    outsider_of_closed = member.user
    first = _post(reported, reported.memberships.first().user, "hello")  # type: ignore[union-attr]
    Report.objects.create(message=first, conversation=reported, reporter=first.sender, reason="r")
    cases = [
        (closed, closed.memberships.first().user, services.ChatRefused),  # type: ignore[union-attr]
        (blocked, blocker.user, services.ChatRefused),
        (closed, outsider_of_closed, Conversation.DoesNotExist),
    ]
    for conversation, sender, refusal in cases:
        insert = post_statement.message_insert(
            conversation_id=conversation.pk, sender_id=sender.pk, body="hi", client_id=""
        )
        assert insert is None
        with pytest.raises(refusal):
            services.message_post(conversation_id=conversation.pk, sender=sender, body="hi")
        conversation.refresh_from_db()
        assert conversation.last_seq == conversation.messages.count()
    # a coordinator while a report is open is no member: the general post stores it
    assert (
        post_statement.message_insert(
            conversation_id=reported.pk, sender_id=coordinator.pk, body="hi", client_id=""
        )
        is None
    )
    assert _post(reported, coordinator, "a word from the association").seq == 2


@pytest.mark.django_db
def test_a_retried_client_id_returns_the_stored_message(postgres: None) -> None:
    conversation = make_conversation()
    sender = conversation.memberships.first().user  # type: ignore[union-attr]
    stored = _post(conversation, sender, "once", client_id="same")
    again, created = services.message_post(
        conversation_id=conversation.pk, sender=sender, body="once", client_id="same"
    )
    assert (again.pk, created) == (stored.pk, False)
    conversation.refresh_from_db()
    assert conversation.last_seq == 1 and conversation.messages.count() == 1
    assert Membership.objects.get(conversation=conversation, user=sender).last_read_seq == 1


@pytest.mark.django_db
def test_every_attempt_counts_against_the_pace_a_retry_too(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CHAT_RATE_PER_SECOND = 2
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: 1_000_000.0))
    conversation = make_conversation()
    sender = conversation.memberships.first().user  # type: ignore[union-attr]
    _post(conversation, sender, "one", client_id="a")
    services.message_post(conversation_id=conversation.pk, sender=sender, body="one", client_id="a")
    with pytest.raises(services.ChatRefused) as refused:
        services.message_post(conversation_id=conversation.pk, sender=sender, body="two")
    assert refused.value.code == "rate_limited"
    assert conversation.messages.count() == 1


@pytest.mark.django_db
def test_an_id_past_the_databases_range_is_no_conversation(postgres: None, client_for: Any) -> None:
    conversation = make_conversation()
    sender = conversation.memberships.first().user  # type: ignore[union-attr]
    for far in (2**63, 2**80):
        with pytest.raises(Conversation.DoesNotExist):
            services.message_post(conversation_id=far, sender=sender, body="hi")
        answer = client_for(sender).post(f"/api/conversations/{far}/messages/", {"body": "hi"})
        assert answer.status_code == 404
    assert Message.objects.count() == 0
