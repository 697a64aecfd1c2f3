"""The whole journey in chromium: a student and a family sign up, confirm their addresses with
the e-mailed link and complete their profiles, both apply; the coordinator vets the family and
confirms the student on the registry's pages, runs a round,
reviews it and publishes; both accept (the student's open page gets a live toast); the student
writes and the message appears on the family's open page without a reload; the family switches
to Japanese and the page is translated."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from matching.models import Application, Proposal, Round
from tests.e2e.conftest import Browsing, off_loop, wait_until
from tests.factories import PASSWORD, ProgramFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _submit(page: Any) -> None:
    page.locator("main form.card button[type=submit]").first.click()
    page.wait_for_load_state()


def _sign_up(page: Any, *, role_index: int, name: str, email: str) -> None:
    page.goto("/signup/")
    page.locator(f"#id_role_{role_index}").check()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/profile/")
    assert "Please confirm your e-mail address" in page.content()
    # The link of the e-mail the sign-up sent (SITE_URL's host is not the live server's).
    assert wait_until(lambda: any(m.to == [email] for m in mail.outbox))
    [body] = [m.body for m in mail.outbox if m.to == [email]]
    page.goto(re.search(r"(/verify-email/[^/\s]+/)", body).group(1))
    page.wait_for_load_state()
    assert "your e-mail address is confirmed" in page.content()


def _student_profile(page: Any) -> None:
    page.goto("/profile/about/")
    page.locator("#id_nationality").select_option("VN")
    page.locator("input[name=gender][value=female]").check()
    page.locator("#id_birth_year").fill("2003")
    page.locator("#id_school").fill("Musashino University")
    _submit(page)
    page.wait_for_url("**/profile/languages/")
    page.locator("#id_lang_0").select_option("vi")
    page.locator("#id_level_0").select_option("native")
    page.get_by_role("button", name="Add another language").click()
    page.locator("#id_lang_1").select_option("ja")
    page.locator("#id_level_1").select_option("intermediate")
    _submit(page)
    page.wait_for_url("**/profile/food/")
    page.locator("input[name=allergies][value=cat]").check()
    _submit(page)
    page.wait_for_url("**/profile/home/")
    _submit(page)
    page.wait_for_url("**/profile/travel/")
    page.get_by_label("Search stations").fill("kichi")
    page.locator("#id_home_station").select_option("kichijoji")
    page.locator("#id_max_travel_minutes").fill("60")
    _submit(page)
    page.wait_for_url("**/profile/interests/")
    page.locator("input[name=interests][value=cooking]").check()
    page.locator("#id_bio").fill("I love cooking and would like to learn Japanese home food.")
    _submit(page)
    page.wait_for_url("**/profile/")
    assert "Your profile is complete." in page.content()


def _host_profile(page: Any) -> None:
    page.goto("/profile/household/")
    page.locator("#id_household_name").fill("The Tanaka family")
    page.locator("#id_household_size").fill("3")
    _submit(page)
    page.wait_for_url("**/profile/languages/")
    page.locator("#id_lang_0").select_option("ja")
    page.locator("#id_level_0").select_option("native")
    _submit(page)
    page.wait_for_url("**/profile/home/")
    _submit(page)
    page.wait_for_url("**/profile/station/")
    page.locator("#id_home_station").select_option("mitaka")
    page.locator("#id_address").fill("1-2-3 Shimorenjaku, Mitaka-shi")
    page.locator("#id_phone").fill("0422-11-2233")
    _submit(page)
    page.wait_for_url("**/profile/interests/")
    page.locator("input[name=interests][value=cooking]").check()
    _submit(page)
    page.wait_for_url("**/profile/")
    assert "Your profile is complete." in page.content()


def _apply(page: Any, program_id: int, *, seats: int | None = None) -> None:
    page.goto("/programmes/")
    page.locator(f"a[href='/programmes/{program_id}/']").last.click()
    for box in page.locator("input[name=dates]").all():
        box.check()
    if seats is not None:
        page.locator(f"input[name=capacity][value='{seats}']").check()
    page.get_by_role("button", name="Send my application").click()
    # the click returns before the answer's page loads: wait for the answer itself
    page.get_by_text("You have applied.").wait_for()
    assert "You have applied." in page.content()


def _coordinator_pages_exist() -> bool:
    try:
        reverse("frontend:coordinator:round_start", kwargs={"program_id": 1})
        reverse("frontend:coordinator:round", kwargs={"round_id": 1})
    except NoReverseMatch:
        return False
    return True


def _run_and_publish_round(browsing: Browsing, program: Any, coordinator: User) -> None:
    """Through the coordinator's pages when they are there; otherwise through the same
    services those pages call."""
    if _coordinator_pages_exist():
        page = browsing.page(coordinator)
        page.goto(reverse("frontend:coordinator:round_start", kwargs={"program_id": program.pk}))
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url("**/coordinator/rounds/*/")
        rnd = Round.objects.get(program=program)
        assert wait_until(
            lambda: Round.objects.get(pk=rnd.pk).status == Round.Status.DRAFT, timeout=20
        )
        page.reload()
        assert page.locator("main").inner_text()  # the review page renders
        browsing.audit(page, "journey-coordinator-review")
        publish = reverse("frontend:coordinator:round_publish", kwargs={"round_id": rnd.pk})
        page.locator(f"form[action='{publish}'] button[type=submit]").click()
        page.wait_for_load_state()
        assert wait_until(lambda: Round.objects.get(pk=rnd.pk).status == Round.Status.PUBLISHED)
        return
    from matching.services.proposals import round_publish
    from matching.services.rounds import round_start

    rnd = off_loop(lambda: round_start(program=program, by=coordinator))
    assert Round.objects.get(pk=rnd.pk).status == Round.Status.DRAFT
    off_loop(lambda: round_publish(round_id=rnd.pk, by=coordinator))


def _vet_through_the_registry(browsing: Browsing, coordinator: User) -> None:
    """New accounts are pending: the coordinator records the family's four checks and confirms
    the student on the registry's pages, so that the round may place them."""
    page = browsing.page(coordinator)
    page.goto(reverse("frontend:coordinator:people") + "?status=pending")
    assert browsing.audit(page, "journey-registry") == []
    page.get_by_role("link", name="The Tanaka family").click()
    page.wait_for_url("**/coordinator/people/*/")
    for code in ("briefing", "home-visit", "household-consent", "pledge"):
        page.locator("#id_check").select_option(code)
        page.locator("#id_done_on").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_load_state()
    assert "The check is recorded." in page.content()
    assert page.locator("h1 + .badge--ok").count() == 1  # approved
    assert browsing.audit(page, "journey-registry-person") == []
    page.goto(reverse("frontend:coordinator:people") + "?status=pending")
    page.get_by_role("link", name="Nguyen Minh").click()
    page.wait_for_url("**/coordinator/people/*/")
    page.get_by_role("button", name="Confirm this student").click()
    page.wait_for_load_state()
    assert "The student is confirmed for this academic year." in page.content()


def test_whole_journey(browsing: Browsing, coordinator: User) -> None:
    program = ProgramFactory(name="Winter home visits", created_by=coordinator)

    student_page = browsing.page(language="en")
    _sign_up(student_page, role_index=0, name="Nguyen Minh", email="minh@example.org")
    _student_profile(student_page)
    host_page = browsing.page(language="en")
    _sign_up(host_page, role_index=1, name="Tanaka Yoko", email="tanaka@example.org")
    _host_profile(host_page)

    _apply(student_page, program.pk)
    _apply(host_page, program.pk, seats=2)
    assert Application.objects.filter(program=program).count() == 2
    _vet_through_the_registry(browsing, coordinator)

    _run_and_publish_round(browsing, program, coordinator)
    proposal = Proposal.objects.get(program=program)
    assert proposal.status == Proposal.Status.PROPOSED

    # The student accepts, then waits on the dashboard with the live notifications open.
    student_page.goto("/proposals/")
    student_page.get_by_role("button", name="Accept").click()
    student_page.wait_for_load_state()
    assert "waiting for the other side" in student_page.content()
    student_page.goto("/dashboard/")
    student_page.wait_for_selector("body[data-notifications-ready='true']")

    host_page.goto("/proposals/")
    assert "Nguyen Minh" in host_page.content()
    host_page.get_by_role("button", name="Accept").click()
    host_page.wait_for_url(f"**/visits/{proposal.pk}/")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CONFIRMED
    toast = student_page.locator("#toasts .toast")
    toast.first.wait_for(state="visible", timeout=20_000)

    # Confirmed: the student sees the family's address; both open the conversation.
    student_page.goto(f"/visits/{proposal.pk}/")
    assert "1-2-3 Shimorenjaku, Mitaka-shi" in student_page.content()
    host_page.get_by_role("link", name="Send a message").click()
    host_page.wait_for_selector("body[data-chat-ready='true']")
    student_page.get_by_role("link", name="Send a message").click()
    student_page.wait_for_selector("body[data-chat-ready='true']")

    composer = student_page.get_by_label("Your message")
    composer.fill("Hello! Shall we meet at Mitaka station at 10:00?")
    host_page.get_by_text("Nguyen Minh is typing…").wait_for(timeout=20_000)
    composer.press("Enter")
    host_page.locator("#chat-log").get_by_text("Shall we meet at Mitaka station").wait_for(
        timeout=20_000
    )
    # The family's page marked it read; the student sees the mark without reloading.
    student_page.locator(".chat__message--mine .chat__read").first.wait_for(timeout=20_000)
    browsing.audit(host_page, "journey-chat-family")

    # The family switches to Japanese: remembered on the account, and the page is translated.
    host_page.locator(".language-switch__summary").click()  # the switch in the header
    host_page.locator("button[name=language][value=ja]").click()
    host_page.wait_for_load_state()
    assert host_page.locator("html").get_attribute("lang") == "ja"
    assert host_page.get_by_role("button", name="送信").is_visible()
    assert "Shall we meet at Mitaka station" in host_page.content()
    assert User.objects.get(email="tanaka@example.org").preferred_language == "ja"
    browsing.audit(host_page, "journey-chat-family-ja")
    assert not browsing.problems, "\n".join(browsing.problems)
