"""A confirmed visit's page on the visit day and after: the meeting (time, station, place, the
map link, tap-to-call numbers, the association's emergency contact), the family's change of
the meeting before the cut-off, attendance from the visit day, feedback only for visits held."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Attendance, MeetingPoint, Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.factories import MeetingPointFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(coordinator: Any) -> Proposal:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    for party in (draft.student_application.user, draft.host_application.user):
        proposal_accept(proposal_id=draft.pk, by=party)
    MeetingPointFactory(program=draft.program, date=draft.date)
    return Proposal.objects.get(pk=draft.pk)


def _on(visit: Proposal, day: dt.date) -> None:
    Proposal.objects.filter(pk=visit.pk).update(date=day)
    MeetingPoint.objects.filter(program=visit.program).update(date=day)


def _url(visit: Proposal, name: str = "frontend:visit") -> str:
    return reverse(name, kwargs={"proposal_id": visit.pk})


@pytest.mark.parametrize(
    ("language", "place", "label"),
    [("en", "Park exit ticket gates", "Open the map"), ("ja", "公園口改札", "地図を開く")],
)
def test_the_student_sees_time_place_map_and_tap_to_call(
    page_client: Any, visit: Proposal, settings: Any, language: str, place: str, label: str
) -> None:
    settings.EMERGENCY_CONTACT = "0422-60-1234"
    visit.host_application.user.host_profile.phone = "0422 (00) 1111"
    visit.host_application.user.host_profile.save()
    html = page_client(visit.student_application.user, language=language).get(_url(visit))
    text = html.content.decode()
    assert "10:30" in text and place in text
    assert 'href="https://www.openstreetmap.org/search?query=' in text
    assert label in text
    assert 'href="tel:0422001111"' in text
    assert 'href="tel:0422601234"' in text


def test_the_family_sees_the_place_without_a_map_and_may_change_it(
    page_client: Any, visit: Proposal
) -> None:
    html = page_client(visit.host_application.user, language="en").get(_url(visit))
    text = html.content.decode()
    assert "Park exit ticket gates" in text and "openstreetmap" not in text
    assert _url(visit, "frontend:visit_meeting") in text


def test_the_family_changes_the_meeting_and_the_student_sees_it(
    page_client: Any, visit: Proposal
) -> None:
    host = page_client(visit.host_application.user, language="en")
    answer = host.post(
        _url(visit, "frontend:visit_meeting"), {"time": "09:40", "place": "North exit"}
    )
    assert answer.status_code == 302
    text = page_client(visit.student_application.user, language="en").get(_url(visit))
    assert "09:40" in text.content.decode() and "North exit" in text.content.decode()


def test_a_bad_meeting_is_shown_beside_its_field_and_changes_nothing(
    page_client: Any, visit: Proposal
) -> None:
    host = page_client(visit.host_application.user, language="en")
    answer = host.post(_url(visit, "frontend:visit_meeting"), {"time": "soon", "place": ""})
    assert answer.status_code == 200
    assert "Enter a valid time" in answer.content.decode()
    assert not Proposal.objects.filter(pk=visit.pk, meeting_change__isnull=False).exists()


def test_the_student_may_not_change_the_meeting(page_client: Any, visit: Proposal) -> None:
    student = page_client(visit.student_application.user, language="en")
    answer = student.post(_url(visit, "frontend:visit_meeting"), {"time": "09:40", "place": "x"})
    assert answer.status_code == 403


def test_after_the_cut_off_the_family_is_told_it_is_too_late(
    page_client: Any, visit: Proposal
) -> None:
    _on(visit, timezone.localdate())
    host = page_client(visit.host_application.user, language="en")
    assert _url(visit, "frontend:visit_meeting") not in host.get(_url(visit)).content.decode()
    answer = host.post(_url(visit, "frontend:visit_meeting"), {"time": "09:40", "place": "x"})
    assert answer.status_code == 302
    assert "no longer be changed" in host.get(_url(visit)).content.decode()


def test_attendance_is_asked_from_the_visit_day_and_feedback_only_if_held(
    page_client: Any, visit: Proposal
) -> None:
    host = page_client(visit.host_application.user, language="en")
    assert _url(visit, "frontend:visit_attendance") not in host.get(_url(visit)).content.decode()
    _on(visit, timezone.localdate() - dt.timedelta(days=1))
    page = host.get(_url(visit)).content.decode()
    assert _url(visit, "frontend:visit_attendance") in page
    assert "How was the visit?" in page  # feedback asked while nothing says otherwise
    answer = host.post(_url(visit, "frontend:visit_attendance"), {"outcome": "student_absent"})
    assert answer.status_code == 302
    assert Attendance.objects.get().side == "host"
    page = host.get(_url(visit)).content.decode()
    assert "How was the visit?" not in page
    assert "Feedback is for visits that took place." in page


def _coordinator_page(page_client: Any, coordinator: Any, name: str, **kwargs: Any) -> str:
    answer = page_client(coordinator, language="en").get(
        reverse(f"frontend:coordinator:{name}", kwargs=kwargs)
    )
    assert answer.status_code == 200
    return str(answer.content.decode())


def test_a_coordinator_sets_a_days_meeting(
    page_client: Any, visit: Proposal, coordinator: Any
) -> None:
    day = visit.date.isoformat()
    url = reverse("frontend:coordinator:visit_day", kwargs={"program_id": visit.program_id})
    answer = page_client(coordinator, language="en").post(
        url,
        {
            "day": day,
            f"{day}-time": "11:15",
            f"{day}-station": "mitaka",
            f"{day}-place_ja": "南口",
            f"{day}-place_en": "South exit",
        },
    )
    assert answer.status_code == 302
    point = MeetingPoint.objects.get(program=visit.program, date=visit.date)
    assert (point.time, point.station_id, point.place_en) == (
        dt.time(11, 15),
        "mitaka",
        "South exit",
    )
    bad = page_client(coordinator, language="en").post(url, {"day": day, f"{day}-time": "noon"})
    assert bad.status_code == 200 and "Enter a valid time" in bad.content.decode()
    assert page_client(coordinator).post(url, {"day": "2001-01-01"}).status_code == 404


def test_a_disagreement_shows_to_the_coordinator_who_settles_it(
    page_client: Any, visit: Proposal, coordinator: Any
) -> None:
    _on(visit, timezone.localdate() - dt.timedelta(days=1))
    Attendance.objects.create(proposal=visit, side="student", outcome="held")
    Attendance.objects.create(proposal=visit, side="host", outcome="student_absent")
    page = _coordinator_page(page_client, coordinator, "visit_day", program_id=visit.program_id)
    assert f'data-dispute="{visit.pk}"' in page
    assert "The student did not come" in page
    settle = reverse("frontend:coordinator:attendance_settle", kwargs={"proposal_id": visit.pk})
    answer = page_client(coordinator, language="en").post(settle, {f"p{visit.pk}-outcome": "held"})
    assert answer.status_code == 302
    assert Attendance.objects.get(side="coordinator").outcome == "held"
    page = _coordinator_page(page_client, coordinator, "visit_day", program_id=visit.program_id)
    assert f'data-dispute="{visit.pk}"' not in page
    assert "No disagreement to settle." in page


def test_each_persons_record_shows_on_the_applications_and_review_pages(
    page_client: Any, visit: Proposal, coordinator: Any
) -> None:
    _on(visit, timezone.localdate() - dt.timedelta(days=1))
    Attendance.objects.create(proposal=visit, side="coordinator", outcome="student_absent")
    page = _coordinator_page(page_client, coordinator, "applications", program_id=visit.program_id)
    assert "Visits held 0 · no-shows 1 · cancelled on the day 0" in page
    page = _coordinator_page(
        page_client, coordinator, "application", application_id=visit.student_application_id
    )
    assert "no-shows 1" in page
    page = _coordinator_page(page_client, coordinator, "round", round_id=visit.round_id)
    assert "no-shows 1" in page
    assert "Reliability" in page


def test_the_proposal_and_the_visits_list_show_time_and_station_only(
    page_client: Any, coordinator: Any
) -> None:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    MeetingPointFactory(program=draft.program, date=draft.date)
    student = page_client(draft.student_application.user, language="en")
    page = student.get(reverse("frontend:proposals")).content.decode()
    assert "Meeting at 10:30" in page and "Kichijōji" in page
    assert "Park exit ticket gates" not in page


def test_the_coordinators_proposal_page_shows_the_meeting_and_records_the_outcome(
    page_client: Any, visit: Proposal, coordinator: Any
) -> None:
    url = reverse("frontend:coordinator:proposal", kwargs={"proposal_id": visit.pk})
    page = page_client(coordinator, language="en").get(url).content.decode()
    assert "Park exit ticket gates" in page and "openstreetmap.org" in page
    assert "Record the outcome" not in page  # the visit is still to come
    _on(visit, timezone.localdate())
    settle = reverse("frontend:coordinator:attendance_settle", kwargs={"proposal_id": visit.pk})
    answer = page_client(coordinator, language="en").post(
        settle, {f"p{visit.pk}-outcome": "held", "back": "proposal"}
    )
    assert answer.status_code == 302 and answer.url == url
    page = page_client(coordinator, language="en").get(url).content.decode()
    assert "The visit took place" in page
