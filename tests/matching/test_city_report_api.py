"""GET /api/reports/summary/ and summary.xlsx: coordinators only, parameters named when bad,
the workbook one sheet per table with small counts masked."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from accounts.models import Role, User
from tests.factories import UserFactory
from tests.matching.test_city_report import last_autumn_visits

pytestmark = pytest.mark.django_db
JSON, XLSX = "/api/reports/summary/", "/api/reports/summary.xlsx"


@pytest.fixture
def visits() -> None:
    last_autumn_visits()


def test_summary_json(client_for: Any, coordinator: User, visits: None) -> None:
    response = client_for(coordinator).get(JSON, {"from": "2025-04-01", "to": "2026-03-31"})
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"], body["program"]) == ("2025-04-01", "2026-03-31", None)
    assert body["totals"]["placed"] == 5
    assert {row["nationality"]: row["placed"] for row in body["by_nationality"]} == {
        "VN": 4,
        "NP": "<3",
    }
    assert set(body) >= {"by_school", "first_time", "families", "ratings", "decline_reasons"}


def test_default_period_is_this_fiscal_year(client_for: Any, coordinator: User) -> None:
    body = client_for(coordinator).get(JSON).json()
    assert body["from"].endswith("-04-01") and body["to"].endswith("-03-31")


def test_workbook_has_one_sheet_per_table(client_for: Any, coordinator: User, visits: None) -> None:
    response = client_for(coordinator).get(XLSX, {"from": "2025-04-01"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 7
    nationality = workbook.worksheets[1]
    rows = list(nationality.iter_rows(values_only=True))
    assert rows[1][1:] == (4, 4) and rows[2][1:] == ("<3", "<3")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-04-01", "to": "2025-04-01"}, "to"),
        ({"from": "April"}, "from"),
        ({"program": "999999"}, "program"),
        ({"program": "x"}, "program"),
    ],
)
@pytest.mark.parametrize("url", [JSON, XLSX])
def test_bad_parameters_are_named(
    client_for: Any, coordinator: User, query: dict[str, str], field: str, url: str
) -> None:
    response = client_for(coordinator).get(url, query, HTTP_ACCEPT="*/*")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("url", [JSON, XLSX])
@pytest.mark.parametrize("role", [Role.STUDENT, Role.HOST])
def test_only_coordinators_read_the_report(client_for: Any, url: str, role: str) -> None:
    assert client_for(UserFactory(role=role)).get(url).status_code == 403
    assert client_for(None).get(url).status_code in (401, 403)


def test_words_that_look_like_a_formula_stay_text(client_for: Any, coordinator: User) -> None:
    from accounts.models import StudentProfile
    from tests.matching.test_city_report import past_program, visit

    program = past_program(dt.date(2025, 10, 4))
    for _n in range(3):
        proposal = visit(program)
        StudentProfile.objects.filter(user=proposal.student_application.user).update(
            school='=HYPERLINK("http://evil.example","x")'
        )
    response = client_for(coordinator).get(XLSX, {"from": "2025-04-01"})
    school = load_workbook(io.BytesIO(response.content)).worksheets[2]["A2"]
    assert school.data_type == "s" and school.value.startswith("=HYPERLINK")
