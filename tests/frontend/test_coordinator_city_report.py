"""The report to the city's page: charts with their numbers, masked counts, the period form,
the download link, print CSS; Japanese and English."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import UserFactory
from tests.matching.test_city_report import last_autumn_visits

pytestmark = pytest.mark.django_db
PAGE = reverse("frontend:coordinator:city_report")


@pytest.fixture
def visits() -> None:
    last_autumn_visits()


def test_the_page_shows_charts_with_their_numbers(coord: Client, visits: None) -> None:
    page = coord.get(PAGE, {"start": "2025-04-01", "end": "2026-03-31"}).content.decode()
    assert page.count('<svg class="report-chart"') == 5
    assert 'role="img"' in page and "<desc" in page
    assert "Students placed: Number 5" in page
    # Nepal's one student is masked everywhere the page shows it.
    assert "&lt;3" in page and ">1<" not in page.split("Students by nationality")[1]
    assert "/api/reports/summary.xlsx?from=2025-04-01&amp;to=2026-03-31" in page
    assert "city_report.css" in page and "data-print" in page


def test_a_bad_period_is_named_beside_the_field(coord: Client) -> None:
    response = coord.get(PAGE, {"start": "2026-04-01", "end": "2025-04-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == ["The end of the period is before its start."]


def test_the_print_css_is_a4() -> None:
    from django.contrib.staticfiles import finders

    with open(finders.find("frontend/coordinator/city_report.css"), encoding="utf-8") as file:
        css = file.read()
    assert "size: A4" in css and "@media print" in css


def test_the_page_in_japanese(page_client: Callable[..., Client], coordinator: User) -> None:
    page = page_client(coordinator, "ja").get(PAGE).content.decode()
    assert "市への報告" in page


@pytest.mark.parametrize("role", [Role.STUDENT, Role.HOST])
def test_others_may_not_read_it(page_client: Callable[..., Client], role: str) -> None:
    assert page_client(UserFactory(role=role)).get(PAGE).status_code == 403


def test_the_page_takes_the_same_queries_for_few_visits_or_many(coord: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.matching.test_city_report import past_program, visit

    program = past_program(dt.date(2025, 10, 4))
    visit(program)
    query = {"start": "2025-04-01", "end": "2026-03-31"}
    coord.get(PAGE, query)  # the session and the process's caches
    with CaptureQueriesContext(connection) as few:
        coord.get(PAGE, query)
    for nationality in ("NP", "KR", "CN", "BR"):
        visit(program, nationality=nationality)
    with CaptureQueriesContext(connection) as many:
        coord.get(PAGE, query)
    assert len(few.captured_queries) == len(many.captured_queries)
