"""The coordinator's pages in a real browser (Debian's chromium through Playwright): the review
page, a form whose bad input shows the error beside the field, and axe-core on every page at
desktop width and at 375 px. Screenshots go to artefacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.models import Attendance, Incident, Proposal, Round, Unplaced
from tests import factories
from tests.e2e.conftest import PHONE, Browsing, off_loop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def coordinator_page(browsing: Browsing, coordinator: User) -> Any:
    """A browser tab logged in as the coordinator, in English."""
    return browsing.page(coordinator)


def _review_round(coordinator: User) -> Round:
    program = factories.ProgramFactory(created_by=coordinator, name="Autumn home visits")
    rnd = factories.RoundFactory(
        program=program,
        created_by=coordinator,
        status=Round.Status.DRAFT,
        stats={
            "matched": 3,
            "unmatched": 1,
            "mean_score": 58.3,
            "min_score": 41.0,
            "total_score": 175.0,
            "blocking_pairs": 1,
            "histogram": {"edges": [0, 20, 40, 60, 80, 100], "counts": [0, 0, 1, 1, 1]},
        },
    )
    for score, breakdown in (
        (41.0, {"language": 15.0, "interests": 6.0, "travel": 20.0}),
        (58.0, {"language": 30.0, "interests": 13.0, "travel": 15.0}),
        (76.0, {"language": 30.0, "interests": 20.0, "travel": 16.0, "household": 10.0}),
    ):
        factories.ProposalFactory(round=rnd, score=score, breakdown=breakdown)
    Unplaced.objects.create(
        round=rnd,
        application=factories.ApplicationFactory(program=program),
        reasons=[{"code": "profile_incomplete", "params": {}, "text": "Profile incomplete."}],
    )
    return rnd


def _check_page(browsing: Browsing, page: Any, path: str, name: str) -> None:
    """The page answers 200 and passes the shared audit: axe-core at both widths, and at
    375 px no sideways scrolling of the page nor of any table frame in it."""
    answer = page.goto(path)
    assert answer is not None and answer.status == 200, path
    failures = browsing.audit(page, f"coordinator-{name}")
    assert failures == [], "\n".join(failures)


def test_review_page_shows_pairs_reasons_and_histogram(
    browsing: Browsing, coordinator_page: Any, coordinator: User
) -> None:
    rnd = _review_round(coordinator)
    page = coordinator_page
    path = reverse("frontend:coordinator:round", args=[rnd.pk])
    _check_page(browsing, page, path, "round-review")
    # On a phone the pairs reflow into cards (the audit saw that neither the page nor the table
    # scrolls sideways), and each card names its values.
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(path)
    card = page.locator("#pairs-caption + thead + tbody tr").first
    assert card.locator(".cell-label").first.is_visible()
    table = page.get_by_role("table", name="Each proposed pair with its score per criterion")
    assert table.count() == 1
    assert page.get_by_role("columnheader", name="Score").count() == 1
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    assert page.get_by_role("heading", name="3 proposed pairs").is_visible()
    assert page.locator("svg.coord-histogram rect.coord-histogram__bar").count() == 5
    assert page.locator("svg.coord-bar").count() >= 3 * 6
    assert page.get_by_text("The profile lacks a field the matcher needs").is_visible()
    # Publishing from the page asks first, then sends the proposals and lands on the answers.
    # (The shared tab answers every dialog "OK"; this one also records the question.)
    questions: list[str] = []
    page.once("dialog", lambda dialog: questions.append(dialog.message))
    page.get_by_role("button", name="Publish this round").click()
    page.wait_for_url("**/answers/")
    assert page.get_by_role("heading", name="Follow the answers").is_visible()
    assert questions and "Publish this round?" in questions[0]
    assert set(rnd.proposals.values_list("status", flat=True)) == {Proposal.Status.PROPOSED}
    assert not browsing.problems, "\n".join(browsing.problems)


def test_running_round_page_follows_the_round_live(
    browsing: Browsing, coordinator_page: Any, coordinator: User
) -> None:
    """The progress module polls the round's API and shows the draft once it is there."""
    rnd = _review_round(coordinator)
    Round.objects.filter(pk=rnd.pk).update(status=Round.Status.RUNNING)
    page = coordinator_page
    page.goto(reverse("frontend:coordinator:round", args=[rnd.pk]))
    assert page.get_by_role("heading", name="The round is running").is_visible()
    assert page.get_by_role("button", name="Publish this round").count() == 0
    Round.objects.filter(pk=rnd.pk).update(status=Round.Status.DRAFT)
    page.get_by_role("button", name="Publish this round").wait_for(timeout=10_000)
    assert page.get_by_role("heading", name="3 proposed pairs").is_visible()
    assert not browsing.problems, "\n".join(browsing.problems)


def test_bad_input_shows_the_error_beside_the_field(
    browsing: Browsing, coordinator_page: Any
) -> None:
    page = coordinator_page
    page.goto(reverse("frontend:coordinator:program_create"))
    page.get_by_label("Name (Japanese)").fill("Winter visits")
    page.get_by_label("Home visit").check()
    page.get_by_label("Dates").fill("31 February")
    page.get_by_label("Applications close").fill("2030-01-10T18:00")
    page.get_by_role("button", name="Create the programme").click()
    page.wait_for_load_state()
    field = page.locator(".field--invalid", has=page.locator("#id_dates"))
    assert field.count() == 1
    assert field.locator(".errorlist").is_visible()
    assert "31 February" in field.locator(".errorlist").inner_text()
    assert page.get_by_role("alert").first.is_visible()
    assert browsing.audit(page, "coordinator-program-form-error") == []


def test_round_form_bad_pin_shows_the_error_beside_the_field(
    coordinator_page: Any, coordinator: User
) -> None:
    program = factories.ProgramFactory(created_by=coordinator)
    page = coordinator_page
    page.goto(reverse("frontend:coordinator:round_start", args=[program.pk]))
    page.get_by_label("Pins: pairs that must be proposed").fill("12 34 56")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Run the round").click()
    page.wait_for_load_state()
    field = page.locator(".field--invalid", has=page.locator("#id_pins"))
    assert "Line 1" in field.locator(".errorlist").inner_text()
    assert not Round.objects.filter(program=program).exists()


def _reported_conversation(proposal: Proposal) -> None:
    """A conversation on ``proposal`` with a message its student reported."""
    from chat import services as chat_services

    conversation = chat_services.conversation_open(proposal=proposal)
    student = proposal.student_application.user
    family = proposal.host_application.user
    chat_services.message_post(conversation_id=conversation.pk, sender=student, body="Hello!")
    rude, _created = chat_services.message_post(
        conversation_id=conversation.pk, sender=family, body="Not nice"
    )
    chat_services.report_create(message_id=rude.pk, reporter=student, reason="Unkind")


def test_every_coordinator_page_passes_axe_at_both_widths(
    browsing: Browsing, coordinator_page: Any, coordinator: User
) -> None:
    rnd = _review_round(coordinator)
    program = rnd.program
    other = factories.RoundFactory(
        program=program, created_by=coordinator, status=Round.Status.DRAFT, mode="stable"
    )
    proposal, waiting = rnd.proposals.order_by("pk")[:2]
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Proposal.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    proposal.refresh_from_db()
    # Its two sides disagree about the day: the visit-day page shows the form that settles it.
    factories.MeetingPointFactory(program=program, date=proposal.date)
    Attendance.objects.create(proposal=proposal, side="student", outcome="held")
    Attendance.objects.create(proposal=proposal, side="host", outcome="student_absent")
    # A proposal nobody has answered yet: the answers table shows its action buttons.
    Proposal.objects.filter(pk=waiting.pk).update(
        status=Proposal.Status.PROPOSED, deadline=timezone.now() + timedelta(days=2)
    )
    # Chat services send channel-layer events on commit: off Playwright's event loop.
    off_loop(lambda: _reported_conversation(proposal))
    pages = {
        "programs": reverse("frontend:coordinator:programs"),
        "program-new": reverse("frontend:coordinator:program_create"),
        "program": reverse("frontend:coordinator:program", args=[program.pk]),
        "applications": reverse("frontend:coordinator:applications", args=[program.pk]),
        "applicant": reverse(
            "frontend:coordinator:application", args=[proposal.host_application_id]
        ),
        "round-new": reverse("frontend:coordinator:round_start", args=[program.pk]),
        "compare": reverse("frontend:coordinator:rounds_compare", args=[program.pk])
        + f"?a={rnd.pk}&b={other.pk}",
        "answers": reverse("frontend:coordinator:answers", args=[program.pk]) + "?show=all",
        "proposal": reverse("frontend:coordinator:proposal", args=[proposal.pk]),
        "reports": reverse("frontend:coordinator:reports"),
        "announcement": reverse("frontend:coordinator:announcement", args=[program.pk]),
        "city-report": reverse("frontend:coordinator:city_report"),
        "import": reverse("frontend:coordinator:imports"),
        "registry": reverse("frontend:coordinator:people"),
        "registry-family": reverse(
            "frontend:coordinator:person", args=[proposal.host_application.user_id]
        ),
        "registry-student": reverse(
            "frontend:coordinator:person", args=[proposal.student_application.user_id]
        ),
        # The chat report opened an incident about the visit.
        "incidents": reverse("frontend:coordinator:incidents"),
        "incident": reverse(
            "frontend:coordinator:incident", args=[Incident.objects.get(proposal=proposal).pk]
        ),
        "incident-open": reverse("frontend:coordinator:incident_open", args=[proposal.pk]),
        "visit-day": reverse("frontend:coordinator:visit_day", args=[program.pk]),
    }
    page = coordinator_page
    for name, path in pages.items():
        _check_page(browsing, page, path, name)
    # Every table that reflows on a phone has rows here, and the answers table's buttons stay
    # usable in the card: visible and inside the 375 px viewport.
    page.set_viewport_size({"width": PHONE, "height": 900})
    for name in ("programs", "program", "applications", "answers", "registry", "incidents"):
        page.goto(pages[name])
        rows = page.locator("table.table--reflow tbody tr")
        assert rows.count() >= 1, name
        assert rows.first.locator(".cell-label").first.is_visible(), name
    page.goto(pages["answers"])
    for button in (
        page.get_by_role("button", name="Remind"),
        page.get_by_role("link", name="Answer for them"),
    ):
        assert button.count() == 1
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, box
    assert not browsing.problems, "\n".join(browsing.problems)


def test_review_page_in_japanese(browsing: Browsing, coordinator: User) -> None:
    rnd = _review_round(coordinator)
    page = browsing.page(coordinator, language="ja", width=PHONE)
    page.goto(reverse("frontend:coordinator:round", args=[rnd.pk]))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("button", name="このラウンドを公開する").is_visible()
    assert browsing.audit(page, "coordinator-round-review-ja") == []
    assert not browsing.problems, "\n".join(browsing.problems)
