"""The visit day's API: ``meeting`` in the proposal views, PATCH .../meeting/ and POST
.../attendance/ with the contract's status codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Attendance, MeetingPoint, Proposal
from matching.services import meeting as meeting_services
from tests.factories import MeetingPointFactory
from tests.matching.flow.conftest import host_of, make_host, move_visit, student_of

pytestmark = pytest.mark.django_db
Clients = Callable[[User | None], APIClient]


@pytest.fixture
def point(visit: Proposal) -> MeetingPoint:
    return MeetingPointFactory(program=visit.program, date=visit.date)


def test_the_student_of_a_confirmed_visit_sees_the_meeting_with_the_map(
    visit: Proposal, point: MeetingPoint, client_for: Clients
) -> None:
    row = client_for(student_of(visit)).get(f"/api/proposals/{visit.pk}/").json()
    assert row["meeting"]["time"] == "10:30"
    assert row["meeting"]["place"] == "Park exit ticket gates"
    assert row["meeting"]["station"] == "Kichijōji"
    assert row["meeting"]["map_url"].startswith("https://www.openstreetmap.org/")
    (listed,) = client_for(student_of(visit)).get("/api/proposals/").json()
    assert listed["meeting"] == row["meeting"]


def test_the_family_sees_the_place_in_japanese_without_a_map(
    visit: Proposal, point: MeetingPoint, client_for: Clients
) -> None:
    row = client_for(host_of(visit)).get(f"/api/proposals/{visit.pk}/").json()
    assert row["meeting"] == {
        "date": visit.date.isoformat(),
        "time": "10:30",
        "place": "公園口改札",
        "station": "吉祥寺",
    }


def test_a_coordinator_sees_meeting_map_and_attendance(
    visit: Proposal, point: MeetingPoint, client_for: Clients, coordinator: User
) -> None:
    row = client_for(coordinator).get(f"/api/proposals/{visit.pk}/").json()
    assert "map_url" in row["meeting"]
    assert row["attendance"] == {"outcome": None, "disputed": False, "records": []}


def test_the_family_patches_the_meeting_and_the_student_is_told(
    visit: Proposal,
    point: MeetingPoint,
    client_for: Clients,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(host_of(visit)).patch(
            f"/api/proposals/{visit.pk}/meeting/",
            {"time": "09:15", "place": "North exit"},
            format="json",
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["time"] == "09:15" and answer.json()["place"] == "North exit"
    assert [m.to for m in mail.outbox] == [[student_of(visit).email]]
    seen = client_for(student_of(visit)).get(f"/api/proposals/{visit.pk}/").json()
    assert (seen["meeting"]["time"], seen["meeting"]["place"]) == ("09:15", "North exit")


def test_the_meeting_patch_answers_409_after_the_cut_off(
    visit: Proposal, client_for: Clients
) -> None:
    visit = move_visit(visit, timezone.localdate() + dt.timedelta(days=1))
    if timezone.localtime() < meeting_services.meeting_cutoff(visit.date):
        visit = move_visit(visit, timezone.localdate())
    answer = client_for(host_of(visit)).patch(
        f"/api/proposals/{visit.pk}/meeting/", {"time": "09:15", "place": "x"}, format="json"
    )
    assert answer.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time": "9h", "place": "x"}, "time"),
        ({"time": "25:00", "place": "x"}, "time"),
        ({"time": "09:00", "place": ""}, "place"),
        ({"time": "09:00", "place": "x" * 301}, "place"),
    ],
)
def test_a_bad_meeting_is_a_400_naming_the_field(
    visit: Proposal, client_for: Clients, body: dict[str, str], field: str
) -> None:
    answer = client_for(host_of(visit)).patch(
        f"/api/proposals/{visit.pk}/meeting/", body, format="json"
    )
    assert answer.status_code == 400 and field in answer.json()


def test_the_student_gets_403_and_another_family_404_for_the_meeting(
    visit: Proposal, client_for: Clients
) -> None:
    body = {"time": "09:15", "place": "x"}
    url = f"/api/proposals/{visit.pk}/meeting/"
    assert client_for(student_of(visit)).patch(url, body, format="json").status_code == 403
    assert client_for(make_host()).patch(url, body, format="json").status_code == 404


def test_attendance_is_400_before_the_visit_day_and_201_from_it(
    visit: Proposal, client_for: Clients
) -> None:
    url = f"/api/proposals/{visit.pk}/attendance/"
    early = client_for(student_of(visit)).post(url, {"outcome": "held"}, format="json")
    assert early.status_code == 400 and "outcome" in early.json()
    move_visit(visit, timezone.localdate())
    answer = client_for(student_of(visit)).post(
        url, {"outcome": "held", "note": "Lovely day"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["side"] == "student" and answer.json()["outcome"] == "held"
    assert Attendance.objects.get().note == "Lovely day"


def test_attendance_is_404_for_non_parties_and_400_for_an_unknown_outcome(
    visit: Proposal, client_for: Clients
) -> None:
    move_visit(visit, timezone.localdate())
    url = f"/api/proposals/{visit.pk}/attendance/"
    assert client_for(make_host()).post(url, {"outcome": "held"}, format="json").status_code == 404
    wrong = client_for(host_of(visit)).post(url, {"outcome": "rained"}, format="json")
    assert wrong.status_code == 400 and "outcome" in wrong.json()


def test_a_coordinator_settles_a_disagreement_through_the_api(
    visit: Proposal, client_for: Clients, coordinator: User
) -> None:
    move_visit(visit, timezone.localdate() - dt.timedelta(days=1))
    url = f"/api/proposals/{visit.pk}/attendance/"
    client_for(student_of(visit)).post(url, {"outcome": "held"}, format="json")
    client_for(host_of(visit)).post(url, {"outcome": "student_absent"}, format="json")
    seen: dict[str, Any] = client_for(coordinator).get(f"/api/proposals/{visit.pk}/").json()
    assert seen["attendance"]["disputed"] is True and seen["attendance"]["outcome"] is None
    settled = client_for(coordinator).post(url, {"outcome": "held"}, format="json")
    assert settled.status_code == 201 and settled.json()["side"] == "coordinator"
    seen = client_for(coordinator).get(f"/api/proposals/{visit.pk}/").json()
    assert seen["attendance"]["disputed"] is False and seen["attendance"]["outcome"] == "held"
