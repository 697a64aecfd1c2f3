"""What's next, live: a new message gives a toast and a count on Messages (on a phone, on the
Menu button too), and the dashboard lists what waits for the person (answer this proposal by
…, meet on …, read new messages, give feedback, finish the profile), redrawn from the
notification stream without a reload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from chat.services import message_post
from matching.models import Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.e2e.conftest import PHONE, Browsing, off_loop
from tests.factories import ApplicationFactory, ProposalFactory, RoundFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _confirmed(coordinator: Any) -> Proposal:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    proposal_accept(proposal_id=draft.pk, by=draft.student_application.user)
    proposal_accept(proposal_id=draft.pk, by=draft.host_application.user)
    return Proposal.objects.get(pk=draft.pk)


def _propose_to(student: Any, coordinator: Any) -> Proposal:
    rnd = RoundFactory()
    draft = ProposalFactory(
        round=rnd, student_application=ApplicationFactory(program=rnd.program, user=student)
    )
    round_publish(round_id=rnd.pk, by=coordinator)
    return Proposal.objects.get(pk=draft.pk)


def test_messages_and_proposals_show_up_live_on_the_dashboard(
    browsing: Browsing, coordinator
) -> None:
    visit = off_loop(lambda: _confirmed(coordinator))
    student = visit.student_application.user
    host = visit.host_application.user
    family = host.host_profile.household_name
    page = browsing.page(student, language="en", width=PHONE)
    page.goto("/dashboard/")
    page.wait_for_selector("body[data-notifications-ready='true']")
    steps = page.locator("#dashboard-live .next-steps")
    assert f"Meet {family} on" in steps.inner_text()
    badge = page.locator(".site-nav__toggle [data-new-messages]")
    assert badge.is_hidden()
    failures = browsing.audit(page, "dashboard-whats-next")
    page.set_viewport_size({"width": PHONE, "height": 900})

    off_loop(
        lambda: message_post(conversation_id=visit.conversation.pk, sender=host, body="Hello!")
    )
    page.locator(".toast").get_by_text(f"New message from {family}").wait_for()
    badge.wait_for()
    assert badge.locator("[data-new-count]").inner_text() == "1"
    steps.get_by_text("Read 1 new message").wait_for()

    proposal = off_loop(lambda: _propose_to(student, coordinator))
    steps.get_by_text("Answer the proposal for").wait_for()
    assert proposal.deadline is not None
    deadline = timezone.localtime(proposal.deadline)
    assert f"{deadline:%H:%M}" in steps.inner_text()

    # Reading the conversation clears the count on the dashboard's open tab.
    chat = browsing.page(student, language="en", width=PHONE)
    chat.goto(f"/messages/{visit.conversation.pk}/")
    chat.wait_for_selector("body[data-chat-ready='true']")
    page.wait_for_function("document.querySelector('.site-nav__toggle [data-new-messages]').hidden")
    steps.get_by_text("Read 1 new message").wait_for(state="detached")
    failures += browsing.audit(page, "dashboard-whats-next-live")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_dashboard_asks_for_feedback_and_a_finished_profile(
    browsing: Browsing, coordinator
) -> None:
    visit = off_loop(lambda: _confirmed(coordinator))
    Proposal.objects.filter(pk=visit.pk).update(date=timezone.localdate() - dt.timedelta(days=2))
    page = browsing.page(visit.host_application.user, language="ja", width=PHONE)
    page.goto("/dashboard/")
    past_day = timezone.localdate() - dt.timedelta(days=2)
    text = page.locator(".next-steps").inner_text()
    assert f"{past_day.year}年{past_day.month}月{past_day.day}日" in text
    assert "の訪問はいかがでしたか" in text
    newcomer = UserFactory(role="student", name="New student")
    page = browsing.page(newcomer, language="en", width=PHONE)
    page.goto("/dashboard/")
    assert "Finish your profile" in page.locator(".next-steps").inner_text()
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_dashboard_asks_both_partners_how_a_language_exchange_is_going(
    browsing: Browsing, coordinator
) -> None:
    """Four weeks into a weekly language exchange (after the first sessions) the dashboard
    asks for feedback; the exchange's page takes it in its own words, then nothing asks."""
    from tests.matching.test_exchange_feedback import confirmed_exchange

    exchange = off_loop(lambda: confirmed_exchange(coordinator, started_days_ago=29))
    family = exchange.host_application.user
    partner = exchange.student_application.user.name
    if family.role != "host":
        family, partner = exchange.student_application.user, exchange.host_application.user.name
    page = browsing.page(family, language="ja", width=PHONE)
    page.goto("/dashboard/")
    steps = page.locator(".next-steps")
    ask = steps.get_by_role("link", name=f"{partner}さんとの言語交換はいかがですか")
    assert ask.is_visible()
    failures = browsing.audit(page, "dashboard-exchange-feedback-ja")
    ask.click()
    page.wait_for_url(f"**/visits/{exchange.pk}/#feedback")
    form = page.locator("#feedback form")
    assert "言語交換はいかがですか" in form.inner_text()
    assert "訪問" not in page.locator("#feedback").inner_text()
    failures += browsing.audit(page, "exchange-feedback-form-ja")
    form.locator("input[name=rating][value='4']").check()
    form.locator("input[name=would_meet_again][value=yes]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/dashboard/")
    assert "言語交換はいかがですか" not in page.locator(".next-steps").inner_text()
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
