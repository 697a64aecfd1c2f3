"""E-mail delivery against a real SMTP server started by the test (aiosmtpd)."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest

from matching.models import Delivery, Proposal
from matching.services import proposals as services
from tests.matching.flow.conftest import host_of, student_of

pytestmark = pytest.mark.django_db


def test_the_confirmation_goes_through_smtp_in_both_languages_with_its_ics(
    proposal: Proposal, smtp_server: Any, settings: Any, committing: Any
) -> None:
    host, port, sink = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = host, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    student, family = student_of(proposal), host_of(proposal)
    assert (student.preferred_language, family.preferred_language) == ("en", "ja")
    services.proposal_accept(proposal_id=proposal.pk, by=student)
    committing(services.proposal_accept, proposal_id=proposal.pk, by=family)

    by_recipient = {str(m["To"]): m for m in sink.messages}
    assert set(by_recipient) == {student.email, family.email}
    english, japanese = by_recipient[student.email], by_recipient[family.email]
    assert str(english["Subject"]).strip().startswith("Confirmed: your visit on")
    assert str(japanese["Subject"]).strip().startswith("【確定】")
    assert japanese["Content-Language"] == "ja"
    for message, phrase in ((english, "is confirmed"), (japanese, "確定しました")):
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert phrase in text and phrase in html
        (invite,) = [p for p in message.iter_attachments() if p.get_filename().endswith(".ics")]
        assert invite.get_content_type() == "text/calendar"
        payload = invite.get_content()
        calendar = icalendar.Calendar.from_ical(
            payload if isinstance(payload, bytes) else payload.encode()
        )
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == proposal.date
    assert Delivery.objects.filter(kind="confirmed", sent_at__isnull=False).count() == 2
    # Sending again (a retried task) reaches the server no more.
    from matching.services.deliveries import delivery_send

    for delivery in Delivery.objects.filter(kind="confirmed"):
        assert delivery_send(delivery_id=delivery.pk) is False
    assert len(sink.messages) == 2


def test_an_unreachable_smtp_server_leaves_the_delivery_to_be_retried(
    proposal: Proposal, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.celery import app
    from matching import notifications
    from matching.tasks import deliveries as tasks
    from tests.matching.flow.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(tasks.delivery_send, "max_retries", 1)
    (delivery,) = notifications.proposal_notify(
        proposal=proposal, kind="reminder", recipients=[student_of(proposal)]
    )
    result = tasks.delivery_send.apply(args=[delivery.pk], throw=False)
    assert result.failed()
    assert isinstance(result.result, OSError)
    delivery.refresh_from_db()
    assert delivery.sent_at is None
