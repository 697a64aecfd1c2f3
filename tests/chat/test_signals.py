"""chat's receivers: what accounts and matching announce reaches chat (the apps depend one way,
so these effects run through signals that chat connects in its AppConfig.ready())."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.deletion import user_delete
from accounts.models import User
from chat import services
from chat.groups import notification_group, user_group
from chat.models import Conversation, Message
from matching.models import Program, Proposal, Round
from matching.services.retention import program_purge
from matching.services.rounds import round_fail
from matching.signals import match_cancelled, match_confirmed
from tests import factories
from tests.chat.conftest import make_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """What chat hands to the channel layer, in order."""
    events: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(services, "_group_send_now", lambda *sends: events.extend(sends))
    return events


def test_deleting_an_account_deletes_its_messages_and_closes_its_sockets(
    conversation: Conversation,
    student: User,
    host: User,
    sent: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.message_post(conversation_id=conversation.pk, sender=student, body="mine")
    services.message_post(conversation_id=conversation.pk, sender=host, body="theirs")
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=student)
    assert list(Message.objects.values_list("body", flat=True)) == ["theirs"]
    assert (user_group(student.pk), {"type": "user.sockets_close"}) in sent


def test_a_confirmed_match_opens_its_conversation_and_a_cancelled_one_closes_it(
    student: User, host: User, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    proposal = make_conversation(student, host).proposal
    Conversation.objects.all().delete()
    match_confirmed.send(sender=Proposal, proposal=proposal)
    conversation = Conversation.objects.get(proposal=proposal)
    assert set(conversation.memberships.values_list("user_id", flat=True)) == {
        student.pk,
        host.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        match_cancelled.send(sender=Proposal, proposal=proposal, reason="The family fell ill.")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CLOSED
    assert conversation.closed_reason == "The family fell ill."
    assert [event["type"] for _group, event in sent] == ["chat.closed"]


def test_purging_a_closed_programme_deletes_its_chat_messages(
    conversation: Conversation, student: User, settings: Any
) -> None:
    other = make_conversation()
    services.message_post(conversation_id=conversation.pk, sender=student, body="old")
    other_sender = other.memberships.first().user
    services.message_post(conversation_id=other.pk, sender=other_sender, body="keep")
    settings.RETENTION_DAYS = 30
    Program.objects.filter(pk=conversation.proposal.program_id).update(
        status=Program.Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=31)
    )
    program_purge(program_id=conversation.proposal.program_id)
    assert list(Message.objects.values_list("body", flat=True)) == ["keep"]


def test_a_rounds_status_reaches_its_coordinators_notification_stream(
    sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    rnd = factories.RoundFactory(status=Round.Status.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        round_fail(round_id=rnd.pk, error="boom")
    assert sent == [
        (
            notification_group(rnd.created_by_id),
            {
                "type": "notification.send",
                "event": {"kind": "round.status", "round": rnd.pk, "status": "failed"},
            },
        )
    ]
