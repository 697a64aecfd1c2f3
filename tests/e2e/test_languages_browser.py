"""The seven languages in chromium: a first visit in the browser's language and the header's
switch on a phone; sign-up and the profile wizard in Vietnamese and in Nepali on a 375 px phone
(the page in the language, nothing clipped or scrolling sideways); the chat's furigana switched
on and off; axe-core on the main pages in every language, and a screenshot of the dashboard in
each (ENGAWA_ARTEFACTS/languages/, outside the repository)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from accounts.languages import CODES
from accounts.models import User
from chat.services import message_post
from tests.e2e.conftest import PHONE, SCREENSHOTS, Browsing, off_loop, wait_until
from tests.e2e.test_pages_browser import _confirmed_proposal
from tests.factories import PASSWORD, ProgramFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ARTEFACTS = Path(os.environ.get("ENGAWA_ARTEFACTS", str(SCREENSHOTS.parent))) / "languages"

# Text whose box is narrower than its content, where the overflow is hidden: clipped.
CLIPPED = """Array.from(document.querySelectorAll('main *, header *'))
    .filter((el) => el.children.length === 0 && el.textContent.trim())
    // Text kept for screen readers only (a 1-pixel box) is clipped on purpose.
    .filter((el) => el.getBoundingClientRect().width > 1)
    .filter((el) => {
        const style = getComputedStyle(el);
        const hides = ['hidden', 'clip'].includes(style.overflowX)
            || style.textOverflow === 'ellipsis';
        return hides && el.scrollWidth > el.clientWidth + 1;
    })
    .map((el) => `${el.tagName.toLowerCase()}: ${el.textContent.trim().slice(0, 40)}`)"""


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _holds_on_a_phone(page: Any, where: str) -> list[str]:
    problems = [f"{where}: clipped {text}" for text in page.evaluate(CLIPPED)]
    if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
        problems.append(f"{where}: the page scrolls sideways")
    return problems


def _submit(page: Any) -> None:
    page.locator("main form.card button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["vi", "ne"])
def test_sign_up_and_the_profile_wizard_on_a_phone(browsing: Browsing, language: str) -> None:
    page = browsing.page(language=language, width=PHONE)
    email = f"student-{language}@example.org"
    page.goto("/signup/")
    assert page.locator("html").get_attribute("lang") == language
    create = _in(language, "Create account")
    assert create != "Create account", f"the {language} catalogue lacks 'Create account'"
    problems = _holds_on_a_phone(page, "signup")
    problems += browsing.audit(page, f"languages-signup-{language}")
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.locator("#id_role_0").check()
    page.locator("#id_name").fill("Nguyen Thi Lan")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=create).click()
    page.wait_for_url("**/profile/")
    assert User.objects.get(email=email).preferred_language == language
    banner = (
        "Please confirm your e-mail address: open the link we sent to %(email)s. You can fill in "
        "your profile now; you can apply to a programme once the address is confirmed."
    )
    assert _in(language, banner) != banner
    assert (_in(language, banner) % {"email": email})[:20] in page.content()
    assert wait_until(lambda: any(m.to == [email] for m in mail.outbox))
    [message] = [m for m in mail.outbox if m.to == [email]]
    assert message.extra_headers["Content-Language"] == language
    page.goto(re.search(r"(/verify-email/[^/\s]+/)", message.body).group(1))
    page.wait_for_load_state()

    steps = [
        ("about", lambda: _about(page)),
        ("languages", lambda: _languages(page)),
        ("food", lambda: page.locator("input[name=allergies][value=cat]").check()),
        ("travel", lambda: _travel(page)),
        ("interests", lambda: _interests(page)),
    ]
    for slug, fill in steps:
        page.goto(f"/profile/{slug}/")
        assert page.locator("html").get_attribute("lang") == language
        problems += _holds_on_a_phone(page, slug)
        problems += browsing.audit(page, f"languages-profile-{slug}-{language}")
        page.set_viewport_size({"width": PHONE, "height": 900})
        fill()
        _submit(page)
    page.goto("/profile/")
    assert _in(language, "Your profile is complete.") in page.content()
    assert not problems, "\n".join(problems)
    assert not browsing.problems, "\n".join(browsing.problems)


def _about(page: Any) -> None:
    page.locator("#id_nationality").select_option("VN")
    page.locator("input[name=gender][value=female]").check()
    page.locator("#id_birth_year").fill("2003")
    page.locator("#id_school").fill("Musashino University")


def _languages(page: Any) -> None:
    page.locator("#id_lang_0").select_option("vi")
    page.locator("#id_level_0").select_option("native")


def _travel(page: Any) -> None:
    page.locator("#id_home_station").select_option("kichijoji")
    page.locator("#id_max_travel_minutes").fill("60")


def _interests(page: Any) -> None:
    page.locator("input[name=interests][value=cooking]").check()
    page.locator("#id_bio").fill("Tôi thích nấu ăn.")


def test_the_chat_shows_furigana_when_switched_on_and_the_text_when_off(
    browsing: Browsing, coordinator: User
) -> None:
    visit = off_loop(lambda: _confirmed_proposal(coordinator))
    student, host = visit.student_application.user, visit.host_application.user
    conversation = visit.conversation
    off_loop(
        lambda: message_post(conversation_id=conversation.pk, sender=host, body="明日の訪問です。")
    )
    off_loop(lambda: message_post(conversation_id=conversation.pk, sender=host, body="See you!"))
    User.objects.filter(pk=student.pk).update(reading_aid="furigana")
    page = browsing.page(student, language="vi", width=PHONE)
    page.goto(f"/messages/{conversation.pk}/")
    bodies = page.locator(".chat__body")
    assert bodies.nth(0).locator("ruby").count() == 2
    assert bodies.nth(0).locator("rt").all_inner_texts() == ["あした", "ほうもん"]
    assert bodies.nth(1).locator("ruby").count() == 0  # English is never touched
    # A message arriving live gets the reader's furigana too (made by the server).
    page.wait_for_selector("body[data-chat-ready=true]")
    off_loop(
        lambda: message_post(conversation_id=conversation.pk, sender=host, body="駅で会いましょう")
    )
    # a locator waits without evaluating a string in the page, which the CSP forbids
    page.locator(".chat__body").nth(2).wait_for()
    assert bodies.nth(2).locator("rt").first.inner_text() == "えき"
    browsing.audit(page, "languages-chat-furigana")

    page.locator("form.reading-aid button[value=off]").click()
    page.wait_for_url(f"**/messages/{conversation.pk}/")
    assert page.locator(".chat__body ruby").count() == 0
    assert bodies.nth(0).inner_text() == "明日の訪問です。"
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_words_scripts_write_have_furigana_in_easy_japanese(
    browsing: Browsing, coordinator: User
) -> None:
    """What chat.js and profile.js put on an easy-Japanese page (texts.js) carries the same
    <ruby> as the server's markup: a live message's "Report" link, the station search."""
    visit = off_loop(lambda: _confirmed_proposal(coordinator))
    student, host = visit.student_application.user, visit.host_application.user
    conversation = visit.conversation
    page = browsing.page(student, language="ja-easy", width=PHONE)
    page.goto(f"/messages/{conversation.pk}/")
    page.wait_for_selector("body[data-chat-ready=true]")
    off_loop(lambda: message_post(conversation_id=conversation.pk, sender=host, body="Hello"))
    report = page.locator("#chat-log .chat__report").last
    report.locator("rt").wait_for()
    assert report.locator("rt").all_inner_texts() == ["ほうこく"]
    page.goto("/profile/travel/")
    page.locator("#id_home_station_search").fill("zzzz")
    found = page.locator("#id_home_station_search_found")
    assert found.locator("rt").all_inner_texts() == ["あ"]  # 合う駅がありません。
    assert "%(n)s" not in page.locator("main").inner_text()
    page.locator("#id_home_station_search").fill("kichi")
    assert found.inner_text().startswith("見つかった駅: ")
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_main_pages_in_every_language(browsing: Browsing, coordinator: User) -> None:
    """axe-core finds nothing serious or critical at 1 280 and 375 px in any of the seven,
    and the dashboard of each is kept as a screenshot."""
    visit = off_loop(lambda: _confirmed_proposal(coordinator))
    student = visit.student_application.user
    conversation = visit.conversation
    off_loop(
        lambda: message_post(
            conversation_id=conversation.pk, sender=visit.host_application.user, body="ようこそ!"
        )
    )
    open_program = ProgramFactory(name="春のホームビジット")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for language in CODES:
        page = browsing.page(language=language)
        for name, url in {"home": "/", "signup": "/signup/", "login": "/login/"}.items():
            page.goto(url)
            failures += browsing.audit(page, f"languages-{name}-{language}")
        page = browsing.page(student, language=language)
        pages = {
            "dashboard": "/dashboard/",
            "profile": "/profile/",
            "programmes": "/programmes/",
            "programme": f"/programmes/{open_program.pk}/",
            "visit": f"/visits/{visit.pk}/",
            "chat": f"/messages/{conversation.pk}/",
        }
        for name, url in pages.items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == language
            failures += browsing.audit(page, f"languages-{name}-{language}")
        page.goto("/dashboard/")
        for width in (1280, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(
                path=str(ARTEFACTS / f"dashboard-{language}-{width}.png"), full_page=True
            )
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_a_phone_in_vietnamese_arrives_in_vietnamese_and_switches_from_the_header(
    browsing: Browsing,
) -> None:
    """A first visit follows the browser's languages (a language we lack falls back to
    English, not Japanese); on a 375 px phone the switch sits in the header, in the first
    screen, and the choice holds on the next page."""
    for locale, expected in (("vi-VN", "vi"), ("fr-FR", "en"), ("ja-JP", "ja")):
        context = browsing.browser.new_context(
            viewport={"width": PHONE, "height": 700},
            locale=locale,
            base_url=browsing.base_url,
            timezone_id="Asia/Tokyo",
        )
        browsing.contexts.append(context)
        page = context.new_page()
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == expected, locale
    # The last tab: a Japanese phone that switches to Korean from the header.
    switch = page.locator("header .language-switch__summary")
    box = switch.bounding_box()
    assert switch.is_visible() and box is not None and box["y"] + box["height"] < 700, box
    switch.click()
    page.locator("header button[name=language][value=ko]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    page.goto("/signup/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("header .language-switch__summary").inner_text().endswith("한국어")
    assert not browsing.problems, "\n".join(browsing.problems)
