"""Phones (375 px): the header folds its links behind a Menu button, the profile's step buttons
stay on a row or two so the form starts near the top, and the earlier proposals become cards,
as do the coordinator's round comparison, unplaced list and an applicant's proposals. And past
visits: not "confirmed" any more, nothing to add to a calendar; closing a programme
sits apart from the everyday actions and asks first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Program, Proposal, Round, Unplaced
from matching.services.proposals import proposal_accept, proposal_decline, round_publish
from tests.e2e.conftest import (
    PHONE,
    Browsing,
    frames_scrolling_sideways,
    off_loop,
    words_broken_across_lines,
)
from tests.factories import (
    ApplicationFactory,
    HostApplicationFactory,
    ProgramFactory,
    ProposalFactory,
    RoundFactory,
)

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
    assert words_broken_across_lines(page, "main table") == []
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


def _two_rounds_and_an_applicant(coordinator: Any) -> dict[str, str]:
    """A programme with two draft rounds that place students differently, one leaving an
    applicant out, and a family with two published proposals: the three coordinator tables
    that a phone shows as cards."""
    program = ProgramFactory(created_by=coordinator, name="Autumn home visits")
    stats = {"matched": 2, "unmatched": 1, "mean_score": 58.3, "min_score": 41.0}
    first = RoundFactory(program=program, stats=stats)
    second = RoundFactory(program=program, stats={**stats, "matched": 1}, mode="stable")
    for score in (41.0, 76.0):
        ProposalFactory(round=first, score=score)
    ProposalFactory(round=second, score=58.0)
    Unplaced.objects.create(
        round=first,
        application=ApplicationFactory(program=program),
        reasons=[{"code": "profile_incomplete", "params": {}, "text": "Profile incomplete."}],
    )
    family = HostApplicationFactory(program=program, seats=3)
    published = RoundFactory(program=program, status=Round.Status.PUBLISHED)
    for status in (Proposal.Status.PROPOSED, Proposal.Status.DECLINED):
        ProposalFactory(
            round=published,
            host_application=family,
            status=status,
            deadline=timezone.now() + dt.timedelta(days=2),
        )
    return {
        "compare": reverse("frontend:coordinator:rounds_compare", args=[program.pk])
        + f"?a={first.pk}&b={second.pk}",
        "unplaced": reverse("frontend:coordinator:round", args=[first.pk]),
        "applicant": reverse("frontend:coordinator:application", args=[family.pk]),
    }


def test_the_round_comparison_the_unplaced_and_an_applicants_proposals_are_cards_on_a_phone(
    browsing: Browsing, coordinator
) -> None:
    """At 375 px each of these tables is a column of cards: every row a block whose values
    carry their labels, no table frame or page scrolling sideways, no word split over two
    lines."""
    pages = off_loop(lambda: _two_rounds_and_an_applicant(coordinator))
    # Each page's tables: how many, and where.
    tables = {
        "compare": (2, "main table"),
        "unplaced": (1, "section[aria-labelledby=unplaced-title] table"),
        "applicant": (1, "section[aria-labelledby=proposals-title] table"),
    }
    failures: list[str] = []
    for language in ("en", "ja"):
        page = browsing.page(coordinator, language=language, width=PHONE)
        for name, (count, selector) in tables.items():
            page.set_viewport_size({"width": PHONE, "height": 900})  # the audit ends at 1280
            page.goto(pages[name])
            assert page.locator(selector).count() == count, name
            for table in page.locator(selector).all():
                rows = table.locator("tbody tr")
                assert rows.count() >= 1, name
                display = rows.first.evaluate("(row) => getComputedStyle(row).display")
                assert display == "block", (name, display)
                assert rows.first.locator(".cell-label").first.is_visible(), name
            assert frames_scrolling_sideways(page) == [], name
            assert not page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            ), name
            assert words_broken_across_lines(page, "main table") == [], (name, language)
            if language == "en":
                failures += browsing.audit(page, f"coordinator-{name}-cards")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
