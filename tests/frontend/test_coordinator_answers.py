"""Following the answers (reminders, answers on behalf, cancelling) and the CSV export of
confirmed visits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from matching.models import Program, Proposal
from tests.frontend.conftest import field_block, published_round

pytestmark = pytest.mark.django_db


def test_answers_list_who_has_not_answered(coord: Client, program: Program) -> None:
    _rnd, proposal = published_round(program)
    page = coord.get(reverse("frontend:coordinator:answers", args=[program.pk])).content.decode()
    assert proposal.student_application.user.name in page
    assert "Remind" in page and "Answer for them" in page


def test_answers_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    published_round(program)
    url = reverse("frontend:coordinator:answers", args=[program.pk])
    with CaptureQueriesContext(connection) as few:
        coord.get(url, {"show": "all"})
    for _ in range(2):
        published_round(program)
    with django_assert_max_num_queries(len(few)):
        coord.get(url, {"show": "all"})


def test_remind_sends_a_reminder(coord: Client, program: Program) -> None:
    from matching.models import Delivery

    _rnd, proposal = published_round(program)
    answer = coord.post(
        reverse("frontend:coordinator:proposal_remind", args=[proposal.pk]),
        {"next": "https://evil.example/"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontend:coordinator:proposal", args=[proposal.pk])
    assert Delivery.objects.filter(proposal=proposal, kind=Delivery.Kind.REMINDER).count() == 2


def test_answer_on_behalf_needs_a_reason_beside_the_field(coord: Client, program: Program) -> None:
    _rnd, proposal = published_round(program)
    url = reverse("frontend:coordinator:proposal_answer", args=[proposal.pk])
    answer = coord.post(url, {"side": "host", "answer": "accept", "reason": ""})
    assert answer.status_code == 400
    assert 'class="errorlist' in field_block(answer.content.decode(), "id_reason")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED


def test_answer_on_behalf_is_recorded_in_the_audit_trail(
    coord: Client, program: Program, coordinator: User
) -> None:
    _rnd, proposal = published_round(program)
    url = reverse("frontend:coordinator:proposal_answer", args=[proposal.pk])
    answer = coord.post(url, {"side": "host", "answer": "accept", "reason": "Phoned on Monday"})
    assert answer.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED_BY_HOST
    page = coord.get(answer["Location"]).content.decode()
    assert "Phoned on Monday" in page
    assert f"by {coordinator.name}" in page
    assert f"for {proposal.host_application.user.name}" in page
    # The same side cannot answer twice: a clear 409, not a 500.
    again = coord.post(url, {"side": "host", "answer": "decline", "reason": "Called again"})
    assert again.status_code == 409
    assert "already answered" in again.content.decode()


def test_cancel_needs_a_reason(coord: Client, program: Program) -> None:
    _rnd, proposal = published_round(program)
    url = reverse("frontend:coordinator:proposal_cancel", args=[proposal.pk])
    answer = coord.post(url, {"reason": ""})
    assert answer.status_code == 400
    answer = coord.post(url, {"reason": "Typhoon warning"})
    assert answer.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CANCELLED


def test_csv_export_of_confirmed_visits(coord: Client, program: Program) -> None:
    _rnd, proposal = published_round(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    _other_round, waiting = published_round(program)
    profile = proposal.host_application.user.host_profile
    profile.phone = "+81-422-00-0000"
    profile.household_name = "=HYPERLINK(1)"
    profile.save()
    answer = coord.get(reverse("frontend:coordinator:visits_csv", args=[program.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    body = answer.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert proposal.student_application.user.name in lines[1]
    assert profile.address in lines[1]
    assert "'=HYPERLINK(1)" in lines[1] and "'+81-422-00-0000" in lines[1]
    assert waiting.student_application.user.name not in text


def test_csv_export_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    url = reverse("frontend:coordinator:visits_csv", args=[program.pk])
    _rnd, proposal = published_round(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    for _ in range(3):
        _rnd, proposal = published_round(program)
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    assert len(answer.content.decode("utf-8-sig").strip().splitlines()) == 5


def test_csv_headers_follow_the_coordinators_language(
    page_client: Callable[..., Client], coordinator: User, program: Program
) -> None:
    answer = page_client(coordinator, "en").get(
        reverse("frontend:coordinator:visits_csv", args=[program.pk])
    )
    assert answer.content.decode("utf-8-sig").startswith("Date,Student,")
