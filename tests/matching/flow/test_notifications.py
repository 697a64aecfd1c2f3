"""E-mails and live events: the recipient's language, text and HTML, the .ics invite, once
per event, and nothing at all when the transition rolls back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from smtplib import SMTPServerDisconnected
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from accounts.models import User
from matching import notifications
from matching.models import Delivery, Proposal, Round
from matching.services import deliveries
from matching.services import proposals as services
from matching.signals import live_event
from matching.tasks import deliveries as tasks
from tests.matching.flow.conftest import (
    draft_proposal,
    host_of,
    make_host,
    make_student,
    student_of,
)

pytestmark = pytest.mark.django_db


def _by_recipient(outbox: list[Any]) -> dict[str, Any]:
    return {m.to[0]: m for m in outbox}


@pytest.fixture
def live_events() -> Iterator[list[tuple[list[int], dict[str, Any]]]]:
    """Whatever matching hands to the live notification streams (the chat app delivers it)."""
    sent: list[tuple[list[int], dict[str, Any]]] = []

    def receive(sender: Any, *, user_ids: list[int], event: dict[str, Any], **kwargs: Any) -> None:
        sent.append((user_ids, event))

    live_event.connect(receive, dispatch_uid="test.live_events")
    yield sent
    live_event.disconnect(dispatch_uid="test.live_events")


def _confirm(proposal: Proposal, committing: Any) -> None:
    services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    committing(services.proposal_accept, proposal_id=proposal.pk, by=host_of(proposal))


def test_the_proposal_e_mail_is_in_each_recipients_language(rnd: Round, publish: Any) -> None:
    draft = draft_proposal(
        rnd=rnd, student=make_student(language="en"), host=make_host(language="ja")
    )
    publish(rnd)
    messages = _by_recipient(mail.outbox)
    english = messages[draft.student_application.user.email]
    japanese = messages[draft.host_application.user.email]
    assert english.subject.startswith("New proposal")
    assert "Please answer by" in english.body
    assert "Dear " in english.body
    assert japanese.subject.startswith("新しいご提案")
    assert "お返事ください" in japanese.body
    assert "様" in japanese.body
    # The student learns the family's name and station; the family the student's name.
    assert draft.host_application.user.host_profile.household_name in english.body
    assert draft.student_application.user.name in japanese.body
    for message in (english, japanese):
        assert isinstance(message, EmailMultiAlternatives)
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert "<html" in html
    assert 'lang="ja"' in japanese.alternatives[0][0]
    # Nobody's address goes out before a confirmation.
    address = draft.host_application.user.host_profile.address
    assert all(address not in m.body for m in mail.outbox)


def test_the_confirmation_carries_an_ics_for_the_visit_day(
    proposal: Proposal, committing: Any
) -> None:
    _confirm(proposal, committing)
    messages = _by_recipient(mail.outbox)
    student, host = student_of(proposal), host_of(proposal)
    assert set(messages) == {student.email, host.email}
    address = host.host_profile.address
    for user, language in ((student, "en"), (host, "ja")):
        message = messages[user.email]
        assert user.preferred_language == language
        (name, content, mimetype) = message.attachments[0]
        assert name.endswith(".ics") and mimetype.startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(content)
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == proposal.date
        assert event.decoded("dtend") == proposal.date + dt.timedelta(days=1)
        location = str(event.get("location"))
        summary = str(event.get("summary"))
        if language == "en":
            assert summary.startswith("Visit with")
            assert address in location and "Mitaka" in location
            assert address in message.body and host.host_profile.phone in message.body
            assert message.subject.startswith("Confirmed")
        else:
            assert "との訪問" in summary
            assert address not in location and "三鷹" in location
            assert address not in message.body
            assert message.subject.startswith("【確定】")


def test_declined_expired_and_cancelled_e_mails_in_both_languages(
    rnd: Round, publish: Any, coordinator: User, committing: Any
) -> None:
    drafts = [
        draft_proposal(rnd=rnd, student=make_student(language="ja"), host=make_host(language="en"))
        for _ in range(3)
    ]
    publish(rnd)
    mail.outbox.clear()
    committing(services.proposal_decline, proposal_id=drafts[0].pk, by=student_of(drafts[0]))
    committing(
        services.proposal_cancel, proposal_id=drafts[1].pk, by=coordinator, reason="Typhoon."
    )
    Proposal.objects.filter(pk=drafts[2].pk).update(deadline=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    committing(services.proposals_expire)
    subjects = {(m.to[0], m.subject.split(" ")[0].split("\uff08")[0]) for m in mail.outbox}
    assert len(mail.outbox) == 6
    expected = {
        (student_of(drafts[0]).email, "ご提案が辞退されました"),
        (host_of(drafts[0]).email, "Proposal"),
        (student_of(drafts[1]).email, "訪問が取り消されました"),
        (host_of(drafts[1]).email, "Visit"),
        (student_of(drafts[2]).email, "ご提案の期限が切れました"),
        (host_of(drafts[2]).email, "Proposal"),
    }
    assert subjects == expected
    cancelled = next(m for m in mail.outbox if m.to[0] == host_of(drafts[1]).email)
    assert "Typhoon." in cancelled.body


def test_one_event_is_e_mailed_once_however_often_it_is_sent(
    proposal: Proposal, committing: Any
) -> None:
    _confirm(proposal, committing)
    assert len(mail.outbox) == 2
    for delivery in Delivery.objects.filter(kind="confirmed"):
        assert deliveries.delivery_send(delivery_id=delivery.pk) is False
    # Recording the same event again creates nothing new.
    assert (
        committing(
            notifications.proposal_notify,
            proposal=proposal,
            kind="confirmed",
            recipients=[student_of(proposal)],
        )
        == []
    )
    assert len(mail.outbox) == 2


def test_a_rolled_back_answer_sends_nothing(
    proposal: Proposal,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    live_events: list[Any],
) -> None:
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.delivery_send, "delay", enqueued.append)
    real_notify = services.proposal_notify

    def notify_then_fail(**kwargs: Any) -> Any:
        real_notify(**kwargs)
        raise RuntimeError("the database went away after the transition")

    services.proposal_accept(proposal_id=proposal.pk, by=student_of(proposal))
    live_events.clear()
    monkeypatch.setattr(services, "proposal_notify", notify_then_fail)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        services.proposal_accept(proposal_id=proposal.pk, by=host_of(proposal))
    assert callbacks == []
    assert enqueued == []
    assert live_events == []
    assert mail.outbox == []
    assert not Delivery.objects.filter(kind="confirmed").exists()
    proposal.refresh_from_db()
    assert proposal.status == "accepted_by_student" and proposal.host_answer == ""


def test_live_events_follow_each_transition_in_the_recipients_language(
    proposal: Proposal, committing: Any, live_events: list[Any]
) -> None:
    student, host = student_of(proposal), host_of(proposal)
    committing(services.proposal_accept, proposal_id=proposal.pk, by=student)
    committing(services.proposal_accept, proposal_id=proposal.pk, by=host)
    types = [(ids[0], event["kind"]) for ids, event in live_events]
    # The stream's frame is {"type": "notification", ...event}: an event's own "type" is lost.
    assert not any("type" in event for _ids, event in live_events)
    assert types == [
        (student.pk, "proposal.accepted"),
        (host.pk, "proposal.accepted"),
        (student.pk, "proposal.confirmed"),
        (host.pk, "proposal.confirmed"),
    ]
    confirmed = {ids[0]: event for ids, event in live_events[2:]}
    assert confirmed[student.pk]["proposal"] == proposal.pk
    assert confirmed[student.pk]["title"].startswith("Confirmed")
    assert confirmed[host.pk]["title"].startswith("【確定】")
    assert "確定しました" in confirmed[host.pk]["body"]
    assert "&" not in confirmed[student.pk]["body"]  # plain text, not escaped HTML


def _flaky_send(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    from config.celery import app

    # Eager retries re-apply the task in place; errors stay in the result, as on a worker.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    calls: list[int] = []
    real_send = EmailMultiAlternatives.send

    def send(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        calls.append(1)
        if len(calls) <= failures:
            raise SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return calls


def test_smtp_failures_are_retried_and_the_e_mail_goes_out_once(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    (delivery,) = notifications.proposal_notify(
        proposal=proposal, kind="reminder", recipients=[student_of(proposal)]
    )
    calls = _flaky_send(monkeypatch, failures=2)
    result = tasks.delivery_send.apply(args=[delivery.pk], throw=False)
    assert result.successful()
    assert len(calls) == 3
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert delivery.attempts == 3  # two refused tries and the one that went out
    # A later duplicate of the task finds it sent.
    assert tasks.delivery_send.apply(args=[delivery.pk]).get() is False
    assert len(mail.outbox) == 1


def test_delivery_gives_up_after_five_retries(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    (delivery,) = notifications.proposal_notify(
        proposal=proposal, kind="reminder", recipients=[host_of(proposal)]
    )
    calls = _flaky_send(monkeypatch, failures=100)
    result = tasks.delivery_send.apply(args=[delivery.pk], throw=False)
    assert result.failed()
    assert len(calls) == 6  # the first try and five retries
    delivery.refresh_from_db()
    assert delivery.sent_at is None and mail.outbox == []


def test_an_smtp_failure_in_the_eager_mode_does_not_fail_the_answer(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch, committing: Any
) -> None:
    _flaky_send(monkeypatch, failures=100)
    committing(services.proposal_decline, proposal_id=proposal.pk, by=student_of(proposal))
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert not Delivery.objects.filter(kind="declined", sent_at__isnull=False).exists()


def test_an_html_special_name_is_escaped_in_html_only(rnd: Round, publish: Any) -> None:
    student = make_student(language="en")
    student.name = "Ana <b>O'Neil</b>"
    student.save()
    draft = draft_proposal(rnd=rnd, student=student, host=make_host(language="en"))
    publish(rnd)
    to_host = _by_recipient(mail.outbox)[draft.host_application.user.email]
    assert "Ana <b>O'Neil</b>" in to_host.body
    assert "<b>O" not in to_host.alternatives[0][0]


def test_a_failing_live_stream_does_not_fail_the_answer_nor_its_e_mails(
    proposal: Proposal, committing: Any
) -> None:
    def broken(sender: Any, **kwargs: Any) -> None:
        raise ConnectionError("channel layer down")

    live_event.connect(broken, dispatch_uid="test.broken")
    try:
        committing(services.proposal_decline, proposal_id=proposal.pk, by=student_of(proposal))
    finally:
        live_event.disconnect(dispatch_uid="test.broken")
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert len(mail.outbox) == 2
