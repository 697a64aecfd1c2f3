"""One date format per language on every page (accounts/formatting.py): Japanese
2027年1月2日(土) 13:00, English Sat 2 Jan 2027, 13:00, in Tokyo time, and durations with their
unit. No 01/02/2027 (2 January or 1 February?), no ISO days, no bare "72"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import PHONE, Browsing
from tests.factories import ApplicationFactory, ProgramFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

WEEKDAYS_JA = "月火水木金土日"
OTHER_FORMATS = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b[A-Z][a-z]{2}\. \d"
)


def _english(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def _japanese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日({WEEKDAYS_JA[day.weekday()]})"


def test_coordinator_and_student_pages_write_dates_one_way(browsing: Browsing, coordinator) -> None:
    program = ProgramFactory(response_hours=72)
    application = ApplicationFactory(program=program)
    first = dt.date.fromisoformat(program.dates[0])
    closes = timezone.localtime(program.apply_until)
    failures: list[str] = []
    for language, day, closes_text, hours in (
        ("en", _english(first), f"{_english(closes.date())}, {closes:%H:%M}", "72 hours"),
        ("ja", _japanese(first), f"{_japanese(closes.date())} {closes:%H:%M}", "72時間"),
    ):
        page = browsing.page(coordinator, language=language, width=PHONE)
        for url in (
            f"/coordinator/programs/{program.pk}/",
            f"/coordinator/programs/{program.pk}/applications/",
            f"/coordinator/applications/{application.pk}/",
            "/coordinator/",
        ):
            page.goto(url)
            text = page.locator("main").inner_text()
            assert day in text, (url, language)
            assert not OTHER_FORMATS.findall(text), (url, OTHER_FORMATS.findall(text))
        page.goto(f"/coordinator/programs/{program.pk}/")
        text = page.locator("main").inner_text()
        assert closes_text in text
        assert hours in text
        failures += browsing.audit(page, f"coordinator-program-dates-{language}")

        page = browsing.page(application.user, language=language, width=PHONE)
        page.goto(f"/programmes/{program.pk}/")
        text = page.locator("main").inner_text()
        assert day in text and closes_text in text and hours in text
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
