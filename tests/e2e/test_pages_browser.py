"""Every page for visitors, students and families in chromium: axe-core finds no serious or
critical problem at desktop width or at 375 px, nothing scrolls sideways on a phone, no
script or style is refused by the CSP, and a screenshot of each is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from chat.services import message_post
from matching.models import Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.e2e.conftest import Browsing, off_loop
from tests.factories import ProgramFactory, ProposalFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _confirmed_proposal(coordinator) -> Proposal:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    proposal_accept(proposal_id=draft.pk, by=draft.student_application.user)
    proposal_accept(proposal_id=draft.pk, by=draft.host_application.user)
    return Proposal.objects.get(pk=draft.pk)


def test_every_page_is_accessible_at_desktop_and_phone_width(
    browsing: Browsing, coordinator
) -> None:
    visit = off_loop(lambda: _confirmed_proposal(coordinator))
    student = visit.student_application.user
    host = visit.host_application.user
    conversation = visit.conversation
    message, _ = off_loop(
        lambda: message_post(conversation_id=conversation.pk, sender=host, body="ようこそ!")
    )
    off_loop(
        lambda: message_post(
            conversation_id=conversation.pk, sender=student, body="Thank you, see you!"
        )
    )
    # A second proposal still waiting for answers, for the proposals and decline pages.
    waiting = ProposalFactory()
    off_loop(lambda: round_publish(round_id=waiting.round_id, by=coordinator))
    waiting_student = waiting.student_application.user
    open_program = ProgramFactory(name="Spring home visits")
    newcomer = UserFactory(role="host", name="New family")

    failures: list[str] = []
    anonymous = {
        "home": "/",
        "signup": "/signup/",
        "login": "/login/",
        "password-reset": "/password-reset/",
        "password-reset-sent": "/password-reset/sent/",
    }
    for language in ("en", "ja"):
        page = browsing.page(language=language)
        for name, url in anonymous.items():
            page.goto(url)
            failures += browsing.audit(page, f"{name}-{language}")

    student_pages = {
        "dashboard-student": "/dashboard/",
        "profile-student": "/profile/",
        "profile-student-about": "/profile/about/",
        "profile-student-languages": "/profile/languages/",
        "profile-student-food": "/profile/food/",
        "profile-student-travel": "/profile/travel/",
        "profile-student-interests": "/profile/interests/",
        "registration-student": "/registration/",
        "programmes": "/programmes/",
        "programme-apply": f"/programmes/{open_program.pk}/",
        "programme-applied": f"/programmes/{visit.program_id}/",
        "visits": "/visits/",
        "visit-student": f"/visits/{visit.pk}/",
        "messages": "/messages/",
        "chat": f"/messages/{conversation.pk}/",
        "chat-report": f"/messages/{conversation.pk}/report/{message.pk}/",
    }
    page = browsing.page(student)
    for name, url in student_pages.items():
        page.goto(url)
        failures += browsing.audit(page, name)

    page = browsing.page(waiting_student, language="ja")
    for name, url in {
        "proposals-ja": "/proposals/",
        "proposal-decline-ja": f"/proposals/{waiting.pk}/decline/",
    }.items():
        page.goto(url)
        failures += browsing.audit(page, name)

    host_pages = {
        "dashboard-host": "/dashboard/",
        "profile-host-household": "/profile/household/",
        "profile-host-home": "/profile/home/",
        "profile-host-station": "/profile/station/",
        "registration-host": "/registration/",
        "proposals-host": "/proposals/",
        "visit-host": f"/visits/{visit.pk}/",
    }
    page = browsing.page(host)
    for name, url in host_pages.items():
        page.goto(url)
        failures += browsing.audit(page, name)

    # After the visit day, the feedback form; and an empty profile for a new family.
    Proposal.objects.filter(pk=visit.pk).update(date=timezone.localdate() - dt.timedelta(days=2))
    page.goto(f"/visits/{visit.pk}/")
    failures += browsing.audit(page, "visit-feedback")
    page = browsing.page(newcomer, language="ja")
    page.goto("/profile/")
    failures += browsing.audit(page, "profile-empty-ja")

    # Choosing a new password from the e-mailed link, and a language-exchange application.
    exchange = ProgramFactory(name="Tandem", kind="language_exchange", dates=open_program.dates[:1])
    page = browsing.page(student)
    page.goto(f"/programmes/{exchange.pk}/")
    failures += browsing.audit(page, "programme-apply-exchange")
    token = default_token_generator.make_token(newcomer)
    uid = urlsafe_base64_encode(force_bytes(newcomer.pk))
    page = browsing.page(language="ja")
    page.goto(f"/password-reset/{uid}/{token}/")
    failures += browsing.audit(page, "password-reset-confirm-ja")
    page.goto("/password-reset/done/")
    failures += browsing.audit(page, "password-reset-complete-ja")

    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_lockout_page(browsing: Browsing, student) -> None:
    page = browsing.page(language="en")
    for _attempt in range(6):
        page.goto("/login/")
        page.get_by_label("E-mail address").fill(student.email)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").last.click()
        page.wait_for_load_state()
    assert "Too many" in page.locator("h1").inner_text()
    failures = browsing.audit(page, "locked-out")
    assert not failures, "\n".join(failures)


def test_bad_input_shows_the_error_beside_the_field(browsing: Browsing) -> None:
    UserFactory(email="taken@example.org")
    page = browsing.page(language="en", width=375)
    page.goto("/signup/")
    page.locator("#id_role_0").check()
    page.get_by_label("Your name").fill("Minh")
    page.get_by_label("E-mail address").fill("taken@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()

    email = page.locator("#id_email")
    assert email.get_attribute("aria-invalid") == "true"
    error = page.locator("#id_email_error")
    assert "already exists" in error.inner_text()
    # The message sits in the same field block as the input, and the input points at it.
    assert page.locator(".field", has=email).locator("#id_email_error").count() == 1
    assert "id_email_error" in (email.get_attribute("aria-describedby") or "")
    assert page.locator("#id_password_error").is_visible()
    # The browser moved the focus to the first field that needs attention (base.js runs on
    # DOMContentLoaded, which may come after the click returns: wait for it, then check).
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('aria-invalid') === 'true'"
    )
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    failures = browsing.audit(page, "signup-errors")
    assert not failures, "\n".join(failures)


def test_profile_step_error_in_japanese_beside_the_field(browsing: Browsing, student) -> None:
    page = browsing.page(student, language="ja")
    page.goto("/profile/travel/")
    page.locator("#id_max_travel_minutes").fill("500")
    page.locator("form.card button[type=submit]").click()
    error = page.locator("#id_max_travel_minutes_error")
    assert "10 から 180 の間" in error.inner_text()
    assert page.locator("html").get_attribute("lang") == "ja"
    failures = browsing.audit(page, "profile-error-ja")
    assert not failures, "\n".join(failures)


def test_language_exchange_weekly_slots_on_a_phone(browsing: Browsing, student) -> None:
    # One date: a year-long pairing, so the form asks for no days.
    exchange = ProgramFactory(
        name="Tandem", kind="language_exchange", dates=ProgramFactory.build().dates[:1]
    )
    page = browsing.page(student, language="en", width=375)
    page.goto(f"/programmes/{exchange.pk}/")
    page.get_by_label("Languages you can teach").select_option(["en"])
    page.get_by_label("Languages you want to learn").select_option(["ja"])
    # No weekly time: the error sits in the field's own block, in the page's language.
    page.get_by_role("button", name="Send my application").click()
    error = page.locator("#id_time_slots_error")
    assert "Choose at least one time" in error.inner_text()
    slots = page.get_by_role("group", name="When you are free each week")
    assert slots.locator("#id_time_slots_error").count() == 1
    failures = browsing.audit(page, "programme-apply-exchange-error")

    # Each weekday is its own group, so "Evening" is found under "Monday".
    slots.get_by_role("group", name="Monday").get_by_label("Evening").check()
    slots.get_by_role("group", name="Saturday").get_by_label("Morning").check()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_role("heading", name="Your application").wait_for()
    assert "Monday Evening, Saturday Morning" in page.content()
    assert student.applications.get().time_slots == ["mon-eve", "sat-am"]
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
