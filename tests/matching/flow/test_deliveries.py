"""matching.services.deliveries: the one e-mail path. A delivery is sent once, its failed tries
are counted with their error, every try of it carries the same Message-ID, and one whose task
was lost is handed over again."""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError
from django.utils import timezone

from matching.models import Delivery, Proposal
from matching.notifications import proposal_notify
from matching.services import deliveries
from tests.matching.flow.conftest import host_of, student_of

pytestmark = pytest.mark.django_db


def _reminder(proposal: Proposal) -> Delivery:
    (delivery,) = proposal_notify(
        proposal=proposal, kind="reminder", recipients=[student_of(proposal)]
    )
    return delivery


def test_a_failed_try_is_counted_with_its_error_and_leaves_the_row_unsent(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _reminder(proposal)

    def refuse(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        raise SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with pytest.raises(SMTPServerDisconnected):
        deliveries.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.sent_at is None and delivery.attempts == 1
    assert "connection lost" in delivery.last_error
    monkeypatch.undo()
    assert deliveries.delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 2 and delivery.last_error == ""
    assert deliveries.delivery_send(delivery_id=delivery.pk) is False
    assert len(mail.outbox) == 1


def test_a_resend_after_a_crash_before_the_commit_is_the_same_message(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one window the row lock cannot close: the SMTP server accepted the e-mail, then the
    database failed before the row was marked sent. The retry sends it again, with the same
    Message-ID, so the recipient's mail system sees one message."""
    delivery = _reminder(proposal)
    real_save = Delivery.save

    def fail_once(self: Delivery, *args: Any, **kwargs: Any) -> None:
        if self.sent_at is not None and not getattr(fail_once, "failed", False):
            fail_once.failed = True
            raise OperationalError("the database went away")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(Delivery, "save", fail_once)
    with pytest.raises(OperationalError):
        deliveries.delivery_send(delivery_id=delivery.pk)
    assert deliveries.delivery_send(delivery_id=delivery.pk) is True
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert f"<delivery-{delivery.pk}." in first.extra_headers["Message-ID"]
    assert deliveries.delivery_send(delivery_id=delivery.pk) is False
    assert len(mail.outbox) == 2


def test_two_deliveries_have_different_message_ids(proposal: Proposal) -> None:
    first = _reminder(proposal)
    (second,) = proposal_notify(proposal=proposal, kind="reminder", recipients=[host_of(proposal)])
    for delivery in (first, second):
        deliveries.delivery_send(delivery_id=delivery.pk)
    ids = {message.extra_headers["Message-ID"] for message in mail.outbox}
    assert len(ids) == 2


def test_an_inactive_recipient_is_not_e_mailed_nor_retried(proposal: Proposal) -> None:
    delivery = _reminder(proposal)
    student = student_of(proposal)
    student.is_active = False
    student.save()
    assert deliveries.delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.sent_at is None and delivery.last_error == "recipient inactive"
    assert mail.outbox == []


def test_a_missing_delivery_sends_nothing() -> None:
    assert deliveries.delivery_send(delivery_id=987_654) is False
    assert mail.outbox == []


def test_each_kind_has_its_renderer() -> None:
    assert set(deliveries._renderers) == set(Delivery.Kind.values)


def test_the_task_retries_with_exponential_backoff() -> None:
    from matching.tasks.deliveries import delivery_send

    assert delivery_send.max_retries == 5
    assert delivery_send.retry_backoff is True
    assert delivery_send.acks_late is True
    assert OSError in delivery_send.autoretry_for


def test_a_delivery_whose_task_was_lost_is_sent_by_the_periodic_resend(
    proposal: Proposal, monkeypatch: pytest.MonkeyPatch, committing: Any
) -> None:
    from matching.schedule import BEAT_SCHEDULE
    from matching.services import proposals as services
    from matching.tasks import deliveries as tasks

    def broker_down(*args: Any) -> None:
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.delivery_send, "delay", broker_down)
    committing(services.proposal_decline, proposal_id=proposal.pk, by=student_of(proposal))
    proposal.refresh_from_db()
    assert proposal.status == "declined" and mail.outbox == []
    monkeypatch.undo()
    unsent = list(
        Delivery.objects.filter(kind="declined", sent_at__isnull=True).values_list("pk", flat=True)
    )
    assert len(unsent) == 2
    assert tasks.deliveries_resend_due.delay().get() == 0  # recorded just now: its task may run
    later = timezone.now() + deliveries.RESEND_AFTER + dt.timedelta(seconds=1)
    assert sorted(deliveries.deliveries_resend_due(now=later)) == sorted(unsent)
    assert len(mail.outbox) == 2
    assert deliveries.deliveries_resend_due(now=later) == []
    entry = BEAT_SCHEDULE["matching.deliveries_resend_due"]
    assert entry["task"] == tasks.deliveries_resend_due.name


def test_the_resend_leaves_what_was_given_up_or_tried_enough(proposal: Proposal) -> None:
    inactive, exhausted, due = (
        Delivery.objects.create(kind="reminder", proposal=proposal, user=student_of(proposal)),
        Delivery.objects.create(kind="reminder", proposal=proposal, user=host_of(proposal)),
        Delivery.objects.create(
            kind="reminder", proposal=proposal, user=host_of(proposal), key="extra"
        ),
    )
    Delivery.objects.filter(pk=inactive.pk).update(last_error=deliveries.INACTIVE)
    Delivery.objects.filter(pk=exhausted.pk).update(attempts=deliveries.MAX_ATTEMPTS)
    later = timezone.now() + deliveries.RESEND_AFTER + dt.timedelta(seconds=1)
    assert deliveries.deliveries_resend_due(now=later) == [due.pk]
    assert [m.to for m in mail.outbox] == [[host_of(proposal).email]]
