"""The dashboard asks both partners of a language exchange for feedback from four weeks into it
(after their first sessions), the exchange's page takes it in the exchange's own words, and
once given, nothing asks any more. Until then the page says from when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from matching.models import Feedback
from tests.matching.test_exchange_feedback import confirmed_exchange

pytestmark = pytest.mark.django_db


def _partner_name(proposal: Any, viewer: User) -> str:
    other = proposal.host_application.user
    if other == viewer:
        other = proposal.student_application.user
    return str(other.name)


def test_the_dashboard_asks_for_exchange_feedback_from_four_weeks_on(
    page_client: Any, coordinator: User
) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=30)
    visit_url = reverse("frontend:visit", kwargs={"proposal_id": exchange.pk})
    for party in (exchange.student_application.user, exchange.host_application.user):
        client = page_client(party, language="en")
        page = client.get(reverse("frontend:dashboard")).content.decode()
        who = _partner_name(exchange, party)
        assert f"Tell us how your language exchange with {who} is going" in page
        assert f'href="{visit_url}#feedback"' in page
        # The exchange goes on: it is still among the visits, and its next meeting is asked.
        assert f"Plan your next meeting with {who}" in page
        assert "No confirmed visit yet." not in page

        detail = client.get(visit_url).content.decode()
        assert "How is the language exchange going?" in detail
        assert "Would you like to go on meeting?" in detail
        assert "How was the visit?" not in detail
        assert "When and where to meet" not in detail
        # No visit day: nothing asks what happened on it.
        assert "How did the day go?" not in detail
        assert "Report a problem about this language exchange" in detail
        sent = client.post(visit_url, {"rating": "4", "would_meet_again": "yes", "comment": ""})
        assert sent.status_code == 302
        page = client.get(reverse("frontend:dashboard")).content.decode()
        assert "Tell us how your language exchange" not in page
    assert Feedback.objects.filter(proposal=exchange).count() == 2


def test_before_four_weeks_nothing_asks_and_the_page_says_from_when(
    page_client: Any, coordinator: User
) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=6)
    student = exchange.student_application.user
    client = page_client(student, language="en")
    page = client.get(reverse("frontend:dashboard")).content.decode()
    assert "Tell us how your language exchange" not in page
    detail = client.get(reverse("frontend:visit", kwargs={"proposal_id": exchange.pk}))
    text = detail.content.decode()
    opens = exchange.date + dt.timedelta(weeks=4)
    assert f"From {opens:%a} {opens.day} {opens:%b} {opens.year}, after your first sessions" in text
    assert 'name="rating"' not in text


def test_the_dashboard_asks_in_japanese(page_client: Any, coordinator: User) -> None:
    exchange = confirmed_exchange(coordinator, started_days_ago=30)
    family = exchange.host_application.user
    page = page_client(family, language="ja").get(reverse("frontend:dashboard")).content.decode()
    assert f"{_partner_name(exchange, family)}さんとの言語交換" in page
