"""The language exchange as its own journey, in chromium at 375 px: the application form offers
the profile's languages as chips, already ticked, with no Ctrl-click hint and no dates for a
weekly programme; the proposal names the partner, who teaches whom which language with both
levels, the weekly times the two share and how they meet, in the reader's language, without a
home visit's diet, allergies or "the visit is confirmed"; the coordinator's round counts people
without a partner. Names, never codes, wherever a language or a country is shown."""

from __future__ import annotations

from typing import Any

import pytest

from matching.models import Application, Program, Proposal, Round
from matching.services.proposals import round_publish
from matching.services.rounds import round_start
from tests.e2e.conftest import PHONE, Browsing, off_loop
from tests.factories import (
    ApplicationFactory,
    HostProfileFactory,
    ProgramFactory,
    ProposalFactory,
    StudentProfileFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _exchange() -> Program:
    return ProgramFactory(
        name="Tandem", kind="language_exchange", dates=ProgramFactory.build().dates[:1]
    )


def test_applying_to_a_language_exchange_with_chips_from_the_profile(
    browsing: Browsing,
) -> None:
    program = _exchange()
    student = StudentProfileFactory(
        languages=[{"code": "vi", "level": "native"}, {"code": "ja", "level": "intermediate"}]
    ).user
    page = browsing.page(student, language="en", width=PHONE)
    page.goto(f"/programmes/{program.pk}/")
    main = page.locator("main")
    assert "Ctrl" not in main.inner_text()
    assert "Days" not in main.inner_text()
    teach = page.get_by_role("group", name="Languages you can teach")
    learn = page.get_by_role("group", name="Languages you want to learn")
    # The profile's languages come first, ticked on the side their level suggests.
    assert teach.get_by_label("Vietnamese").is_checked()
    assert not teach.get_by_label("Japanese").is_checked()
    assert learn.get_by_label("Japanese").is_checked()
    assert teach.get_by_label("Vietnamese").is_visible()
    assert not teach.get_by_label("Korean").is_visible()  # folded under "Other languages"
    teach.get_by_text("Other languages").click()
    teach.get_by_label("English").check()
    failures = browsing.audit(page, "exchange-apply")
    page.get_by_role("group", name="Saturday").get_by_label("Morning").check()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_role("heading", name="Your application").wait_for()
    text = main.inner_text()
    assert "You teach\nEnglish, Vietnamese" in text or "You teach\nVietnamese, English" in text
    assert "You learn\nJapanese" in text
    assert "Your days" not in text
    failures += browsing.audit(page, "exchange-applied")
    application = Application.objects.get(user=student)
    assert sorted(application.teaches) == ["en", "vi"]
    assert application.learns == ["ja"]
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def _pair(program: Program, coordinator: Any) -> tuple[Any, Any, Round]:
    family = HostProfileFactory(
        languages=[{"code": "ja", "level": "native"}, {"code": "en", "level": "beginner"}]
    ).user
    student = StudentProfileFactory(
        languages=[{"code": "en", "level": "advanced"}, {"code": "ja", "level": "beginner"}]
    ).user
    for user, teaches, learns, slots in (
        (family, ["ja"], ["en"], ["mon-eve", "sat-am"]),
        (student, ["en"], ["ja"], ["sat-am", "sun-pm"]),
    ):
        ApplicationFactory(
            program=program,
            user=user,
            dates=[],
            teaches=teaches,
            learns=learns,
            format="online",
            time_slots=slots,
        )
    rnd = round_start(program=program, by=coordinator)
    return family, student, Round.objects.get(pk=rnd.pk)


def test_a_language_exchange_proposal_is_its_own_journey(browsing: Browsing, coordinator) -> None:
    program = _exchange()
    family, student, rnd = off_loop(lambda: _pair(program, coordinator))
    assert rnd.status == Round.Status.DRAFT, rnd.error
    failures: list[str] = []

    page = browsing.page(coordinator, language="en", width=PHONE)
    page.goto(f"/coordinator/rounds/{rnd.pk}/")
    text = page.locator("main").inner_text()
    assert "People without a partner" in text
    assert "Unplaced students" not in text
    failures += browsing.audit(page, "exchange-round")
    off_loop(lambda: round_publish(round_id=rnd.pk, by=coordinator))

    page = browsing.page(student, language="en", width=PHONE)
    page.goto("/proposals/")
    card = page.locator("article.card").first
    text = card.inner_text()
    assert f"Language partner: {family.name}" in text
    assert "Japanese (their level: Native; yours: Beginner)" in text
    assert "English (your level: Advanced; theirs: Beginner)" in text
    assert "Saturday Morning" in text and "Monday" not in text
    assert "Online" in text
    for home_visit_word in ("Student", "Diet", "Allergies", "Family", "Nearest station"):
        assert home_visit_word not in text, home_visit_word
    assert "the visit is confirmed" not in page.locator("main").inner_text()
    failures += browsing.audit(page, "exchange-proposal")

    page = browsing.page(family, language="ja", width=PHONE)
    page.goto("/proposals/")
    text = page.locator("article.card").first.inner_text()
    assert "英語" in text and "日本語" in text
    assert "en" not in text.split() and "ja" not in text.split()
    failures += browsing.audit(page, "exchange-proposal-ja")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def _published_home_visit(coordinator: Any) -> Proposal:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    return Proposal.objects.get(pk=draft.pk)


def test_names_not_codes_on_the_family_and_student_pages(browsing: Browsing, coordinator) -> None:
    proposal = off_loop(lambda: _published_home_visit(coordinator))
    family = proposal.host_application.user
    student = proposal.student_application.user
    for language, country in (("en", "Vietnam"), ("ja", "ベトナム")):
        page = browsing.page(family, language=language, width=PHONE)
        page.goto("/proposals/")
        text = page.locator("article.card").first.inner_text()
        assert country in text, text
        assert "VN" not in text.split()
    # A student is never asked about, or shown, students per day.
    page = browsing.page(student, language="ja", width=PHONE)
    page.goto(f"/programmes/{proposal.program_id}/")
    text = page.locator("main").inner_text()
    assert "学生の人数" not in text
    assert not browsing.problems, "\n".join(browsing.problems)
