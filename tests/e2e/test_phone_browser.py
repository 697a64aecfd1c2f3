"""Phones (375 px): the header folds its links behind a Menu button, the profile's step buttons
stay on a row or two so the form starts near the top, and the earlier proposals become cards.
And past visits: not "confirmed" any more, nothing to add to a calendar; closing a programme
sits apart from the everyday actions and asks first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from matching.models import Program, Proposal
from matching.services.proposals import proposal_accept, proposal_decline, round_publish
from tests.e2e.conftest import PHONE, Browsing, off_loop
from tests.factories import ProgramFactory, ProposalFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _published(coordinator: Any, **kwargs: Any) -> Proposal:
    draft = ProposalFactory(**kwargs)
    round_publish(round_id=draft.round_id, by=coordinator)
    return Proposal.objects.get(pk=draft.pk)


def _declined_and_confirmed(coordinator: Any) -> tuple[Proposal, Proposal]:
    declined = _published(coordinator)
    student = declined.student_application.user
    proposal_decline(proposal_id=declined.pk, by=student, reason="")
    confirmed = _published(coordinator)
    proposal_accept(proposal_id=confirmed.pk, by=confirmed.student_application.user)
    proposal_accept(proposal_id=confirmed.pk, by=confirmed.host_application.user)
    return Proposal.objects.get(pk=declined.pk), Proposal.objects.get(pk=confirmed.pk)


def test_the_header_steps_and_tables_fit_a_phone(browsing: Browsing, coordinator) -> None:
    declined, _visit = off_loop(lambda: _declined_and_confirmed(coordinator))
    student = declined.student_application.user
    page = browsing.page(student, language="ja", width=PHONE)
    page.goto("/profile/about/")
    menu = page.get_by_role("button", name="メニュー")
    messages = page.locator(".site-nav__links").get_by_role("link", name="メッセージ")
    assert menu.is_visible() and not messages.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80, header
    # The step buttons take at most two rows, and the form starts in the first screen's top.
    rows = page.evaluate(
        "new Set([...document.querySelectorAll('.steps li')].map((li) => li.offsetTop)).size"
    )
    assert rows <= 2, rows
    form_top = page.locator("main form.card").bounding_box()["y"]
    assert form_top < 450, form_top
    failures = browsing.audit(page, "profile-step-phone-menu-closed-ja")
    page.set_viewport_size({"width": PHONE, "height": 900})
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    messages.wait_for()
    page.keyboard.press("Escape")
    assert not messages.is_visible()

    # The earlier proposals reflow into cards: every cell on its own line with its label.
    page.goto("/proposals/")
    table = page.locator("section[aria-labelledby=past-heading] table")
    assert table.locator("tbody tr").first.evaluate("(row) => getComputedStyle(row).display") == (
        "block"
    )
    assert table.locator(".cell-label").first.is_visible()
    failures += browsing.audit(page, "proposals-earlier-phone-ja")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_a_past_visit_is_done_and_closing_a_programme_asks_first(
    browsing: Browsing, coordinator
) -> None:
    _declined, visit = off_loop(lambda: _declined_and_confirmed(coordinator))
    Proposal.objects.filter(pk=visit.pk).update(date=timezone.localdate() - dt.timedelta(days=3))
    student = visit.student_application.user
    page = browsing.page(student, language="en", width=PHONE)
    page.goto(f"/visits/{visit.pk}/")
    main = page.locator("main")
    assert "Visit done" in main.inner_text()
    assert "Confirmed" not in main.inner_text()
    assert main.get_by_text("Add to my calendar").count() == 0
    assert page.get_by_role("button", name="Send feedback").is_visible()
    failures = browsing.audit(page, "visit-past")
    page.goto("/visits/")
    assert "Past visits" in main.inner_text()
    page.goto("/proposals/")
    assert "Visit done" in main.inner_text()

    program = ProgramFactory(name="Spring visits")
    page = browsing.page(coordinator, language="en", width=PHONE)
    questions: list[str] = []
    page.on("dialog", lambda dialog: questions.append(dialog.message))
    page.goto(f"/coordinator/programs/{program.pk}/")
    assert page.title() == "Spring visits · Engawa"
    everyday = page.locator("section[aria-labelledby=next-title]")
    assert everyday.get_by_role("button", name="Close the programme").count() == 0
    apart = page.locator("section[aria-labelledby=close-title]")
    failures += browsing.audit(page, "coordinator-program-close-apart")
    apart.get_by_role("button", name="Close the programme").click()
    page.wait_for_load_state()
    assert questions and "Close this programme?" in questions[0]
    assert off_loop(lambda: Program.objects.get(pk=program.pk).status) == Program.Status.CLOSED
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
