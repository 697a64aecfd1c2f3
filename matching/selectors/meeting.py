"""Where and when a visit's two sides meet, as each reader may see it: the one rule that the
API, the pages, the e-mails and the .ics share.

The meeting is the programme's default for the visit day (``MeetingPoint``), with the time and
place the family chose for its visit (``VisitMeeting``) in their stead. Who sees what:
- before confirmation a party sees the time and the station only (the place stays empty);
- once confirmed both parties see the place too;
- ``map_url`` only where the family's address is shown (the student of a confirmed home
  visit, and coordinators): an OpenStreetMap link built from the address or, without one, from
  the meeting station's coordinates. No external service is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils.translation import get_language

from accounts.models import Station, User
from matching.models import MeetingPoint, Program, Proposal, VisitMeeting

OSM = "https://www.openstreetmap.org"
MAP_ZOOM = 17

PointKey = tuple[int, dt.date]


@dataclass(frozen=True)
class Meeting:
    """A visit's meeting as one reader may see it (``place`` empty and ``map_url`` None where
    the reader may not see them)."""

    date: dt.date
    time: dt.time | None
    place: str
    station: str
    map_url: str | None
    station_slug: str = ""
    # Whether the reader sees the address, and so the map: the JSON has ``map_url`` only then.
    with_map: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "date": self.date.isoformat(),
            "time": self.time.strftime("%H:%M") if self.time else None,
            "place": self.place,
            "station": self.station,
        }
        if self.with_map:
            data["map_url"] = self.map_url
        return data


def meeting_points(*, keys: Iterable[PointKey]) -> dict[PointKey, MeetingPoint]:
    """The default meetings of the given (programme id, day) pairs, with their stations: one
    query whatever the pairs (none for no pairs)."""
    wanted = set(keys)
    if not wanted:
        return {}
    condition = Q()
    for program_id, day in wanted:
        condition |= Q(program_id=program_id, date=day)
    rows = MeetingPoint.objects.select_related("station").filter(condition)
    return {(row.program_id, row.date): row for row in rows}


def program_meeting_points(*, program_id: int) -> dict[dt.date, MeetingPoint]:
    """A programme's default meetings by visit day (one query)."""
    rows = MeetingPoint.objects.select_related("station").filter(program_id=program_id)
    return {row.date: row for row in rows}


def map_url(*, address: str, station: Station | None) -> str | None:
    """An OpenStreetMap link: a search for the address, else a pin on the station."""
    if address.strip():
        return f"{OSM}/search?query={quote(address.strip())}"
    if station is None:
        return None
    lat, lon = f"{station.latitude:.5f}", f"{station.longitude:.5f}"
    return f"{OSM}/?mlat={lat}&mlon={lon}#map={MAP_ZOOM}/{lat}/{lon}"


def point_place(point: MeetingPoint | None, language: str | None = None) -> str:
    """The default's exit or landmark in the reader's language (the other one when empty)."""
    if point is None:
        return ""
    language = language or get_language() or "ja"
    first, second = (
        (point.place_ja, point.place_en)
        if language.startswith("ja")
        else (point.place_en, point.place_ja)
    )
    return first or second


def _change(proposal: Proposal) -> VisitMeeting | None:
    try:
        return proposal.meeting_change
    except ObjectDoesNotExist:
        return None


def _address(proposal: Proposal) -> str:
    profile = getattr(proposal.host_application.user, "host_profile", None)
    return profile.address if profile else ""


def shows_address(*, proposal: Proposal, viewer: User) -> bool:
    """Whether ``viewer`` sees the family's address: a coordinator, or the student of a
    confirmed home visit (as ``selectors.proposals.counterpart`` shows it)."""
    if viewer.is_coordinator:
        return True
    return (
        proposal.program.kind == Program.Kind.HOME_VISIT
        and proposal.status == Proposal.Status.CONFIRMED
        and viewer.pk == proposal.student_application.user_id
    )


def meeting_of(*, proposal: Proposal, viewer: User, point: MeetingPoint | None) -> Meeting:
    """The meeting of ``proposal`` as ``viewer`` (a party or a coordinator) may see it;
    ``point`` is the day's default (``meeting_points``). The address for the map is read only
    where it is shown (loaded with the proposal by the callers that show it)."""
    change = _change(proposal)
    confirmed = proposal.status == Proposal.Status.CONFIRMED
    sees_place = viewer.is_coordinator or confirmed
    station = point.station if point else None
    place = ""
    if sees_place:
        place = change.place if change else point_place(point)
    with_map = shows_address(proposal=proposal, viewer=viewer)
    return Meeting(
        date=proposal.date,
        time=change.time if change else (point.time if point else None),
        place=place,
        station=station.label() if station else "",
        station_slug=station.slug if station else "",
        map_url=map_url(address=_address(proposal), station=station) if with_map else None,
        with_map=with_map,
    )


def meeting_for(*, proposal: Proposal, viewer: User) -> Meeting:
    """``meeting_of`` for one proposal, its default read here (one query)."""
    points = meeting_points(keys=[(proposal.program_id, proposal.date)])
    return meeting_of(
        proposal=proposal, viewer=viewer, point=points.get((proposal.program_id, proposal.date))
    )
