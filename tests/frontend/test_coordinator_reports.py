"""Reports from chat on the coordinator's pages: the queue in context, resolving, closing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Program, Proposal
from tests.frontend.conftest import field_block, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(program: Program) -> Any:
    from chat import services as chat_services
    from chat.models import Report

    _rnd, proposal = published_round(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    proposal.refresh_from_db()
    conversation = chat_services.conversation_open(proposal=proposal)
    student = proposal.student_application.user
    family = proposal.host_application.user
    for n in range(3):
        chat_services.message_post(
            conversation_id=conversation.pk, sender=student, body=f"hello {n}"
        )
    rude, _created = chat_services.message_post(
        conversation_id=conversation.pk, sender=family, body="a rude message"
    )
    chat_services.report_create(message_id=rude.pk, reporter=student, reason="Rude")
    return Report.objects.get()


def test_reports_queue_shows_the_message_in_context(coord: Client, report: Any) -> None:
    page = coord.get(reverse("frontend:coordinator:reports")).content.decode()
    assert "a rude message" in page and "hello 0" in page and "Rude" in page
    assert "coord-thread__message--reported" in page
    assert "Resolve the report" in page and "Close the conversation" in page


def test_reports_queue_query_count_is_constant(
    coord: Client, report: Any, program: Program, django_assert_max_num_queries: Any
) -> None:
    from chat import services as chat_services

    url = reverse("frontend:coordinator:reports")
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    for _ in range(3):
        _rnd, proposal = published_round(program)
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
        proposal.refresh_from_db()
        conversation = chat_services.conversation_open(proposal=proposal)
        message, _created = chat_services.message_post(
            conversation_id=conversation.pk, sender=proposal.host_application.user, body="rude"
        )
        chat_services.report_create(
            message_id=message.pk, reporter=proposal.student_application.user, reason="Rude"
        )
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    assert answer.content.decode().count("coord-thread__message--reported") == 4


def test_resolve_a_report(coord: Client, report: Any) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:report_resolve", args=[report.pk]),
        {f"r{report.pk}-resolution": "Talked to both."},
    )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolution == "Talked to both."
    resolved = coord.get(reverse("frontend:coordinator:reports"), {"status": "resolved"})
    assert "Talked to both." in resolved.content.decode()


def test_close_a_conversation_needs_a_reason(coord: Client, report: Any) -> None:
    url = reverse("frontend:coordinator:conversation_close", args=[report.conversation_id])
    answer = coord.post(url, {"report": report.pk, f"c{report.pk}-reason": ""})
    assert answer.status_code == 400
    assert 'class="errorlist' in field_block(answer.content.decode(), f"id_c{report.pk}-reason")
    answer = coord.post(url, {"report": report.pk, f"c{report.pk}-reason": "Abusive language"})
    assert answer.status_code == 302
    report.conversation.refresh_from_db()
    assert report.conversation.status == "closed"
