"""The coordinator's pages in a real browser (Debian's chromium through Playwright): the review
page, a form whose bad input shows the error beside the field, and axe-core on every page at
desktop width and at 375 px. Screenshots go to artefacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.models import Proposal, Round, Unplaced
from tests import factories
from tests.conftest import need_service

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"
BLOCKING = {"serious", "critical"}
WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_service("chromium", os.path.exists(CHROMIUM))
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls (data
    # set-up, assertions) are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    """The flush after each browser test empties every table, the reference data (stations,
    languages) that a data migration created included: load it again, as that migration does."""
    from django.apps import apps

    from accounts.models import Station

    if not Station.objects.exists():
        importlib.import_module("accounts.migrations.0002_reference_data").load(apps, None)


@pytest.fixture
def coordinator_page(browser: Any, live_server: Any, coordinator: User) -> Iterator[Any]:
    """A browser tab logged in as the coordinator (the test client's session cookie)."""
    client = Client()
    client.force_login(coordinator)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


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


def _axe_blocking(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def _page_width(page: Any) -> int:
    """How wide the document is: wider than the viewport means the page scrolls sideways."""
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def _frames_scrolling_sideways(page: Any) -> list[str]:
    """Table frames whose content is wider than the frame (they scroll inside the page)."""
    return list(
        page.evaluate(
            """Array.from(document.querySelectorAll('.table-wrap'))
                .filter((frame) => frame.scrollWidth > frame.clientWidth + 1)
                .map((frame) => `${frame.getAttribute('aria-labelledby') || 'table'}:`
                    + ` ${frame.scrollWidth} > ${frame.clientWidth}`)"""
        )
    )


def _check_page(page: Any, url: str, name: str) -> None:
    """axe-core at both widths, and at 375 px no sideways scrolling of the page, nor of any
    table frame inside it (wide tables reflow into cards there)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        answer = page.goto(url)
        assert answer is not None and answer.status == 200, url
        page.screenshot(path=str(SCREENSHOTS / f"coordinator-{name}-{label}.png"), full_page=True)
        blocking = _axe_blocking(page)
        assert blocking == [], (
            url,
            label,
            [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in blocking],
        )
        if width == WIDTHS["phone"]:
            assert _page_width(page) <= width + 1, (url, "scrolls sideways", _page_width(page))
            frames = _frames_scrolling_sideways(page)
            assert frames == [], (url, "table frames scroll sideways", frames)
    assert page.csp_errors == [], page.csp_errors


def test_review_page_shows_pairs_reasons_and_histogram(
    coordinator_page: Any, live_server: Any, coordinator: User
) -> None:
    rnd = _review_round(coordinator)
    page = coordinator_page
    url = live_server.url + reverse("frontend:coordinator:round", args=[rnd.pk])
    _check_page(page, url, "round-review")
    # On a phone the pairs reflow into cards: neither the page nor the table scrolls sideways,
    # and each card names its values.
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto(url)
    assert _page_width(page) <= 375 + 1
    assert _frames_scrolling_sideways(page) == []
    card = page.locator("#pairs-caption + thead + tbody tr").first
    assert card.locator(".cell-label").first.is_visible()
    table = page.get_by_role("table", name="Each proposed pair with its score per criterion")
    assert table.count() == 1
    assert page.get_by_role("columnheader", name="Score").count() == 1
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    assert page.get_by_role("heading", name="3 proposed pairs").is_visible()
    assert page.locator("svg.coord-histogram rect.coord-histogram__bar").count() == 5
    assert page.locator("svg.coord-bar").count() >= 3 * 6
    assert page.get_by_text("The profile lacks a field the matcher needs").is_visible()
    # Publishing from the page asks first, then sends the proposals and lands on the answers.
    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Publish this round").click()
    page.wait_for_url("**/answers/")
    assert page.get_by_role("heading", name="Follow the answers").is_visible()
    assert questions and "Publish this round?" in questions[0]
    assert set(rnd.proposals.values_list("status", flat=True)) == {Proposal.Status.PROPOSED}


def test_running_round_page_follows_the_round_live(
    coordinator_page: Any, live_server: Any, coordinator: User
) -> None:
    """The progress module polls the round's API and shows the draft once it is there."""
    rnd = _review_round(coordinator)
    Round.objects.filter(pk=rnd.pk).update(status=Round.Status.RUNNING)
    page = coordinator_page
    page.goto(live_server.url + reverse("frontend:coordinator:round", args=[rnd.pk]))
    assert page.get_by_role("heading", name="The round is running").is_visible()
    assert page.get_by_role("button", name="Publish this round").count() == 0
    Round.objects.filter(pk=rnd.pk).update(status=Round.Status.DRAFT)
    page.get_by_role("button", name="Publish this round").wait_for(timeout=10_000)
    assert page.get_by_role("heading", name="3 proposed pairs").is_visible()
    assert page.csp_errors == []


def test_bad_input_shows_the_error_beside_the_field(
    coordinator_page: Any, live_server: Any
) -> None:
    page = coordinator_page
    page.goto(live_server.url + reverse("frontend:coordinator:program_create"))
    page.get_by_label("Name").fill("Winter visits")
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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "coordinator-program-form-error.png"), full_page=True)
    assert _axe_blocking(page) == []


def test_round_form_bad_pin_shows_the_error_beside_the_field(
    coordinator_page: Any, live_server: Any, coordinator: User
) -> None:
    program = factories.ProgramFactory(created_by=coordinator)
    page = coordinator_page
    page.goto(live_server.url + reverse("frontend:coordinator:round_start", args=[program.pk]))
    page.get_by_label("Pins: pairs that must be proposed").fill("12 34 56")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Run the round").click()
    page.wait_for_load_state()
    field = page.locator(".field--invalid", has=page.locator("#id_pins"))
    assert "Line 1" in field.locator(".errorlist").inner_text()
    assert not Round.objects.filter(program=program).exists()


def test_every_coordinator_page_passes_axe_at_both_widths(
    coordinator_page: Any, live_server: Any, coordinator: User
) -> None:
    from chat import services as chat_services

    rnd = _review_round(coordinator)
    program = rnd.program
    other = factories.RoundFactory(
        program=program, created_by=coordinator, status=Round.Status.DRAFT, mode="stable"
    )
    proposal, waiting = rnd.proposals.order_by("pk")[:2]
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    proposal.refresh_from_db()
    # A proposal nobody has answered yet: the answers table shows its action buttons.
    Proposal.objects.filter(pk=waiting.pk).update(
        status=Proposal.Status.PROPOSED, deadline=timezone.now() + timedelta(days=2)
    )
    conversation = chat_services.conversation_open(proposal=proposal)
    student = proposal.student_application.user
    family = proposal.host_application.user
    chat_services.message_post(conversation_id=conversation.pk, sender=student, body="Hello!")
    rude, _created = chat_services.message_post(
        conversation_id=conversation.pk, sender=family, body="Not nice"
    )
    chat_services.report_create(message_id=rude.pk, reporter=student, reason="Unkind")
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
    }
    for name, path in pages.items():
        _check_page(coordinator_page, live_server.url + path, name)
    # Every table that reflows on a phone has rows here, and the answers table's buttons stay
    # usable in the card: visible and inside the 375 px viewport.
    page = coordinator_page
    page.set_viewport_size({"width": 375, "height": 900})
    for name in ("programs", "program", "applications", "answers"):
        page.goto(live_server.url + pages[name])
        rows = page.locator("table.table--reflow tbody tr")
        assert rows.count() >= 1, name
        assert rows.first.locator(".cell-label").first.is_visible(), name
    page.goto(live_server.url + pages["answers"])
    for button in (
        page.get_by_role("button", name="Remind"),
        page.get_by_role("link", name="Answer for them"),
    ):
        assert button.count() == 1
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box


def test_review_page_in_japanese(browser: Any, live_server: Any, coordinator: User) -> None:
    coordinator.preferred_language = "ja"
    coordinator.save(update_fields=["preferred_language"])
    rnd = _review_round(coordinator)
    client = Client()
    client.force_login(coordinator)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("frontend:coordinator:round", args=[rnd.pk]))
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("button", name="このラウンドを公開する").is_visible()
    assert _page_width(page) <= 375 + 1
    assert _frames_scrolling_sideways(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "coordinator-round-review-ja-phone.png"), full_page=True)
    assert _axe_blocking(page) == []
    context.close()
