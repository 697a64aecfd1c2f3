"""The meeting time and place of a visit: the programme's default per day, the family's own
before the cut-off (the student told by e-mail and live), who sees what in the API, the map
link, the .ics in Asia/Tokyo with SITE_URL links, and the reminder the day before."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import Station, User
from matching.models import Delivery, MeetingPoint, Program, Proposal
from matching.notifications import visit_ics
from matching.selectors.meeting import map_url, meeting_for
from matching.services import meeting as services
from matching.services import proposals
from matching.services.transitions import ProposalConflict, ProposalNotFound
from tests.factories import MeetingPointFactory
from tests.matching.flow.conftest import (
    draft_proposal,
    host_of,
    make_student,
    move_visit,
    student_of,
)
from tests.matching.flow.test_notifications import live_events

pytestmark = pytest.mark.django_db
__all__ = ["live_events"]  # a fixture, used by name
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _point(visit: Proposal, *, time: dt.time = dt.time(10, 30)) -> MeetingPoint:
    return MeetingPointFactory(program=visit.program, date=visit.date, time=time)


def _long_before(visit: Proposal) -> dt.datetime:
    return services.meeting_cutoff(visit.date) - dt.timedelta(days=2)


def test_the_cut_off_is_noon_tokyo_the_day_before() -> None:
    cutoff = services.meeting_cutoff(dt.date(2026, 12, 26))
    assert cutoff == dt.datetime(2026, 12, 25, 12, 0, tzinfo=TOKYO)


def test_a_coordinator_sets_a_days_default_only_on_a_visit_day(
    visit: Proposal, coordinator: User
) -> None:
    station = Station.objects.get(slug="mitaka")
    point = services.meeting_point_set(
        program=visit.program,
        day=visit.date,
        time=dt.time(11, 0),
        station=station,
        place_ja="南口",
        place_en="South exit",
        by=coordinator,
    )
    assert point.station == station
    with pytest.raises(ValidationError) as error:
        services.meeting_point_set(
            program=visit.program,
            day=visit.date + dt.timedelta(days=1),
            time=dt.time(11, 0),
            station=None,
            place_ja="",
            place_en="",
            by=coordinator,
        )
    assert "date" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.meeting_point_set(
            program=visit.program,
            day=visit.date,
            time=dt.time(11, 0),
            station=None,
            place_ja="",
            place_en="",
            by=host_of(visit),
        )


def test_each_side_sees_the_default_in_its_language_and_only_the_student_gets_the_map(
    visit: Proposal,
) -> None:
    # The API and the pages activate the reader's language; the place follows it.
    _point(visit)
    student, host = student_of(visit), host_of(visit)
    with translation.override("en"):
        seen = meeting_for(proposal=visit, viewer=student)
    assert seen.time == dt.time(10, 30)
    assert seen.place == "Park exit ticket gates"
    assert seen.map_url and seen.map_url.startswith("https://www.openstreetmap.org/search?query=")
    with translation.override("ja"):
        by_host = meeting_for(proposal=visit, viewer=host)
    assert by_host.place == "公園口改札"
    assert by_host.station == "吉祥寺"
    assert "map_url" not in by_host.as_json()


def test_the_map_link_is_built_from_the_address_or_else_the_station() -> None:
    station = Station(slug="x", latitude=35.70312, longitude=139.57982)
    assert map_url(address="東京都武蔵野市 1-2-3", station=station) == (
        "https://www.openstreetmap.org/search?query="
        "%E6%9D%B1%E4%BA%AC%E9%83%BD%E6%AD%A6%E8%94%B5%E9%87%8E%E5%B8%82%201-2-3"
    )
    assert map_url(address=" ", station=station) == (
        "https://www.openstreetmap.org/?mlat=35.70312&mlon=139.57982#map=17/35.70312/139.57982"
    )
    assert map_url(address="", station=None) is None


def test_an_unconfirmed_proposal_shows_time_and_station_but_not_the_place(
    proposal: Proposal,
) -> None:
    _point(proposal)
    with translation.override("en"):
        seen = meeting_for(proposal=proposal, viewer=student_of(proposal)).as_json()
    assert seen == {
        "date": proposal.date.isoformat(),
        "time": "10:30",
        "place": "",
        "station": "Kichijōji",
    }


def test_the_family_changes_its_meeting_and_the_student_is_told_once_per_change(
    visit: Proposal, committing: Callable[..., Any], live_events: list[Any]
) -> None:
    _point(visit)
    host, student = host_of(visit), student_of(visit)
    committing(
        services.meeting_change,
        proposal_id=visit.pk,
        by=host,
        time=dt.time(9, 45),
        place="North exit, by the bakery",
        now=_long_before(visit),
    )
    seen = meeting_for(proposal=Proposal.objects.get(pk=visit.pk), viewer=student)
    assert (seen.time, seen.place) == (dt.time(9, 45), "North exit, by the bakery")
    (message,) = mail.outbox
    assert message.to == [student.email]
    assert "09:45" in message.body and "North exit, by the bakery" in message.body
    assert f"/visits/{visit.pk}/" in message.body
    # ... and live, on the student's notification stream only.
    ((user_ids, event),) = live_events
    assert user_ids == [student.pk] and event["kind"] == "visit.meeting_changed"
    assert event["proposal"] == visit.pk
    assert "09:45" in event["body"] and "North exit, by the bakery" in event["body"]
    committing(
        services.meeting_change,
        proposal_id=visit.pk,
        by=host,
        time=dt.time(10, 0),
        place="North exit",
        now=_long_before(visit),
    )
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(kind=Delivery.Kind.MEETING_CHANGED).count() == 2


def test_the_meeting_cannot_change_after_the_cut_off_or_by_the_student_or_outsiders(
    visit: Proposal,
) -> None:
    after = services.meeting_cutoff(visit.date) + dt.timedelta(minutes=1)
    with pytest.raises(ProposalConflict):
        services.meeting_change(
            proposal_id=visit.pk, by=host_of(visit), time=dt.time(9), place="x", now=after
        )
    with pytest.raises(PermissionDenied):
        services.meeting_change(
            proposal_id=visit.pk,
            by=student_of(visit),
            time=dt.time(9),
            place="x",
            now=_long_before(visit),
        )
    with pytest.raises(ProposalNotFound):
        services.meeting_change(
            proposal_id=visit.pk,
            by=make_student(),
            time=dt.time(9),
            place="x",
            now=_long_before(visit),
        )
    assert not Proposal.objects.filter(pk=visit.pk, meeting_change__isnull=False).exists()


def test_an_unconfirmed_proposal_has_no_meeting_to_change(proposal: Proposal) -> None:
    with pytest.raises(ProposalConflict):
        services.meeting_change(
            proposal_id=proposal.pk,
            by=host_of(proposal),
            time=dt.time(9),
            place="x",
            now=_long_before(proposal),
        )


def test_the_ics_starts_at_the_meeting_time_in_tokyo_with_site_url_links(
    visit: Proposal, settings: Any
) -> None:
    settings.SITE_URL = "https://engawa.example.org/"
    _point(visit, time=dt.time(10, 30))
    content = visit_ics(proposal=visit, recipient=student_of(visit))
    (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == dt.datetime.combine(visit.date, dt.time(10, 30), tzinfo=TOKYO)
    assert str(start.tzinfo) == "Asia/Tokyo" and event["dtstart"].params["TZID"] == "Asia/Tokyo"
    assert end - start == dt.timedelta(hours=6)
    assert str(event["url"]) == f"https://engawa.example.org/visits/{visit.pk}/"
    assert "Park exit ticket gates" in str(event["location"])
    assert ":8000" not in content.decode()


def test_the_ics_is_a_whole_day_while_no_time_is_set(visit: Proposal) -> None:
    (event,) = icalendar.Calendar.from_ical(
        visit_ics(proposal=visit, recipient=host_of(visit))
    ).walk("VEVENT")
    assert event.decoded("dtstart") == visit.date
    assert event.decoded("dtend") == visit.date + dt.timedelta(days=1)


def test_the_reminder_goes_the_day_before_from_noon_to_both_sides_once_in_their_language(
    visit: Proposal, django_capture_on_commit_callbacks: Any
) -> None:
    tomorrow = dt.date(2026, 12, 26)
    visit = move_visit(visit, tomorrow)
    _point(visit)
    morning = dt.datetime(2026, 12, 25, 11, 59, tzinfo=TOKYO)
    noon = dt.datetime(2026, 12, 25, 12, 0, tzinfo=TOKYO)
    assert services.visits_remind_tomorrow(now=morning) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.visits_remind_tomorrow(now=noon) == [visit.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.visits_remind_tomorrow(now=noon + dt.timedelta(hours=3)) == []
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2
    english = by_recipient[student_of(visit).email]  # the student reads English
    japanese = by_recipient[host_of(visit).email]  # the family Japanese
    assert english.subject.startswith("Tomorrow")
    assert "10:30" in english.body and "Park exit ticket gates" in english.body
    assert "明日" in japanese.subject
    assert "10:30" in japanese.body and "公園口改札" in japanese.body


def test_a_cancelled_visit_gets_no_reminder(visit: Proposal) -> None:
    visit = move_visit(visit, dt.date(2026, 12, 26))
    Proposal.objects.filter(pk=visit.pk).update(status=Proposal.Status.CANCELLED)
    assert services.visits_remind_tomorrow(now=dt.datetime(2026, 12, 25, 13, tzinfo=TOKYO)) == []


def test_the_day_before_reminder_is_not_sent_for_other_days(visit: Proposal) -> None:
    visit = move_visit(visit, timezone.localdate() + dt.timedelta(days=5))
    assert services.visits_remind_tomorrow() == []


def test_the_confirmation_tells_both_sides_where_and_when_to_meet(
    proposal: Proposal, committing: Callable[..., Any]
) -> None:
    _point(proposal)
    for party in (student_of(proposal), host_of(proposal)):
        committing(proposals.proposal_accept, proposal_id=proposal.pk, by=party)
    confirmations = [m for m in mail.outbox if f"/visits/{proposal.pk}/" in m.body]
    assert len(confirmations) == 2
    by_recipient = {m.to[0]: m for m in confirmations}
    assert "10:30" in by_recipient[student_of(proposal).email].body
    assert "Park exit ticket gates" in by_recipient[student_of(proposal).email].body
    assert "公園口改札" in by_recipient[host_of(proposal).email].body


def test_the_proposal_e_mail_gives_the_time_and_station_but_not_the_place(
    rnd: Any, publish: Callable[..., Any]
) -> None:
    draft = draft_proposal(rnd=rnd, student=make_student(language="en"))
    MeetingPointFactory(program=rnd.program, date=draft.date)
    publish(rnd)
    to_student = next(m for m in mail.outbox if m.to == [student_of(draft).email])
    assert "Meeting time: 10:30" in to_student.body and "Kichijōji" in to_student.body
    assert "Park exit ticket gates" not in to_student.body
    assert "Park exit ticket gates" not in to_student.alternatives[0][0]


def test_language_exchange_pairs_get_no_visit_reminder(visit: Proposal) -> None:
    visit = move_visit(visit, dt.date(2026, 12, 26))
    Program.objects.filter(pk=visit.program_id).update(kind=Program.Kind.LANGUAGE_EXCHANGE)
    assert services.visits_remind_tomorrow(now=dt.datetime(2026, 12, 25, 13, tzinfo=TOKYO)) == []
