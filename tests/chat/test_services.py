"""Chat services: opening and closing conversations, events on commit, retention."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import translation

from accounts.models import User
from chat import notices, services
from chat.groups import conversation_group, notification_group, user_group
from chat.models import Conversation, Membership, Message
from matching.models import Proposal
from tests import factories
from tests.chat.conftest import make_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings: Any) -> None:
    settings.CHAT_RATE_PER_SECOND = 10_000


def test_opening_is_idempotent_and_makes_both_sides_members(student: User, host: User) -> None:
    conversation = make_conversation(student, host)
    again = services.conversation_open(proposal=conversation.proposal)
    assert again.pk == conversation.pk
    assert Conversation.objects.count() == 1
    assert set(Membership.objects.values_list("user_id", flat=True)) == {student.pk, host.pk}


def test_a_message_is_broadcast_only_after_commit(
    conversation: Conversation,
    student: User,
    sent: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message, created = services.message_post(
            conversation_id=conversation.pk, sender=student, body="hi"
        )
    assert created
    other = Membership.objects.exclude(user=student).get(conversation=conversation).user
    assert sent == [
        (
            conversation_group(conversation.pk),
            {"type": "chat.message", "message": sent[0][1]["message"]},
        ),
        # The other member's stream, which makes their toast and unread total itself.
        (
            notification_group(other.pk),
            {
                "type": "notification.chat_message",
                "conversation": conversation.pk,
                "message": message.pk,
            },
        ),
    ]
    assert sent[0][1]["message"]["id"] == message.pk
    assert sent[0][1]["message"]["seq"] == 1


def test_reading_sends_the_reader_their_new_unread_total(
    conversation: Conversation,
    student: User,
    sent: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = Membership.objects.exclude(user=student).get(conversation=conversation).user
    with django_capture_on_commit_callbacks(execute=True):
        message, _created = services.message_post(
            conversation_id=conversation.pk, sender=other, body="hi"
        )
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_read(conversation_id=conversation.pk, user=student, message_id=message.pk)
    assert (
        notification_group(student.pk),
        {"type": "notification.chat_read"},
    ) in sent


def test_a_rolled_back_notification_is_never_sent(student: User, sent: list) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notification_send(user_ids=[student.pk], event={"kind": "x"})
        raise RuntimeError
    assert sent == []


def test_a_notification_goes_to_each_users_group_once(
    student: User, host: User, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(user_ids=[host.pk, student.pk, host.pk], event={"kind": "x"})
    assert [group for group, _ in sent] == sorted(
        [notification_group(student.pk), notification_group(host.pk)]
    )
    assert sent[0][1] == {"type": "notification.send", "event": {"kind": "x"}}


def test_sequence_numbers_are_contiguous_per_conversation(student: User, host: User) -> None:
    one = make_conversation(student, host)
    two = make_conversation()
    member_two = two.memberships.first().user
    for n in range(3):
        services.message_post(conversation_id=one.pk, sender=student, body=f"a{n}")
        services.message_post(conversation_id=two.pk, sender=member_two, body=f"b{n}")
    assert list(one.messages.values_list("seq", flat=True)) == [1, 2, 3]
    assert list(two.messages.values_list("seq", flat=True)) == [1, 2, 3]
    one.refresh_from_db()
    assert one.last_seq == 3


def test_a_cancelled_match_closes_the_conversation(
    conversation: Conversation, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    proposal = conversation.proposal
    proposal.status = Proposal.Status.CANCELLED
    proposal.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_close_for_proposal(proposal=proposal, reason="cancelled")
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.CLOSED
    assert conversation.closed_reason == "cancelled"
    assert sent[0][1]["type"] == "chat.closed"
    # No conversation yet (never confirmed): nothing to do.
    services.conversation_close_for_proposal(proposal=factories.ProposalFactory())


def test_purge_deletes_only_that_programmes_messages(student: User, host: User) -> None:
    mine = make_conversation(student, host)
    other = make_conversation()
    for n in range(4):
        services.message_post(conversation_id=mine.pk, sender=student, body=f"m{n}")
    services.message_post(
        conversation_id=other.pk, sender=other.memberships.first().user, body="keep"
    )
    assert services.conversation_purge_for_program(program_id=mine.proposal.program_id) == 4
    assert list(Message.objects.values_list("body", flat=True)) == ["keep"]


def test_user_sockets_close_targets_the_personal_group(
    student: User, sent: list, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.user_sockets_close(user_id=student.pk)
    assert sent == [(user_group(student.pk), {"type": "user.sockets_close"})]


def test_purging_a_user_deletes_only_their_messages(
    conversation: Conversation, student: User, host: User
) -> None:
    for body in ("mine 1", "mine 2"):
        services.message_post(conversation_id=conversation.pk, sender=student, body=body)
    services.message_post(conversation_id=conversation.pk, sender=host, body="theirs")
    assert services.user_purge(user=student) == 2
    assert list(Message.objects.values_list("body", flat=True)) == ["theirs"]


def test_the_new_message_frame_names_the_sender_and_carries_the_readers_total_in_two_queries(
    student: User, host: User, django_assert_num_queries: Any
) -> None:
    first = make_conversation(student, host)
    second = make_conversation(student, factories.HostProfileFactory().user)
    other = Membership.objects.exclude(user=student).get(conversation=second).user
    for body in ("a", "b", "c"):
        services.message_post(conversation_id=second.pk, sender=other, body=body)
    services.message_post(conversation_id=first.pk, sender=student, body="mine")
    read, _created = services.message_post(conversation_id=first.pk, sender=host, body="d")
    services.message_read(conversation_id=first.pk, user=student, message_id=read.pk)
    message, _created = services.message_post(conversation_id=first.pk, sender=host, body="e")
    with django_assert_num_queries(2), translation.override("en"):
        frame = notices.message_frame(user=student, conversation_id=first.pk, message_id=message.pk)
    # Three unread in the other conversation, one ("e") here; the student's own never counts.
    assert frame == {
        "kind": "chat.message",
        "conversation": first.pk,
        "message": message.pk,
        "text": f"New message from {host.host_profile.household_name}",
        "unread": 4,
    }


def test_the_sends_of_one_commit_go_out_together_and_a_failing_one_stops_no_other(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The broadcast and the notices go to different groups: none waits for another's round
    trips, and a group whose send fails is logged while the others still go out."""
    import asyncio

    started: list[str] = []
    saw: dict[str, list[str]] = {}

    class Layer:
        async def group_send(self, group: str, event: dict[str, Any]) -> None:
            started.append(group)
            if group == "failing":
                raise ConnectionError("layer down")
            if group == "first":
                for _ in range(50):  # sent one after the other, the rest would start only later
                    if len(started) == 3:
                        break
                    await asyncio.sleep(0.01)
            saw[group] = list(started)

    monkeypatch.setattr(services, "get_channel_layer", Layer)
    services._group_send_now(("first", {}), ("failing", {}), ("last", {}))
    assert sorted(saw["first"]) == ["failing", "first", "last"]
    assert "last" in saw
    assert "group_send to failing failed" in caplog.text


def test_the_new_message_frame_of_a_message_gone_names_no_one(student: User, host: User) -> None:
    conversation = make_conversation(student, host)
    message, _created = services.message_post(
        conversation_id=conversation.pk, sender=host, body="soon gone"
    )
    Message.objects.filter(pk=message.pk).delete()
    with translation.override("en"):
        frame = notices.message_frame(
            user=student, conversation_id=conversation.pk, message_id=message.pk
        )
    assert frame["text"] == "New message from …"
