"""A confirmed visit on a 375 px phone: the student sees the meeting time and place, a map
link and tap-to-call links, in Japanese and English; the family changes the meeting there and
axe-core finds no serious problem on the page."""

from __future__ import annotations

import pytest

from matching.models import Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.e2e.conftest import PHONE, Browsing, off_loop
from tests.factories import MeetingPointFactory, ProposalFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _visit(coordinator) -> Proposal:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    for party in (draft.student_application.user, draft.host_application.user):
        proposal_accept(proposal_id=draft.pk, by=party)
    profile = draft.host_application.user.host_profile
    profile.address = "東京都武蔵野市吉祥寺本町1-2-3"
    profile.phone = "0422-00-1111"
    profile.save()
    MeetingPointFactory(program=draft.program, date=draft.date)
    return Proposal.objects.get(pk=draft.pk)


@pytest.mark.parametrize(
    ("language", "place", "map_name", "call_name"),
    [
        ("en", "Park exit ticket gates", "Open the map", "Call the family"),
        ("ja", "公園口改札", "地図を開く", "ご家庭に電話する"),
    ],
)
def test_a_confirmed_visit_on_a_phone_shows_time_place_map_and_tap_to_call(
    browsing: Browsing, coordinator, settings, language, place, map_name, call_name
) -> None:
    settings.EMERGENCY_CONTACT = "0422-60-1234"
    visit = off_loop(lambda: _visit(coordinator))
    page = browsing.page(visit.student_application.user, language=language, width=PHONE)
    page.goto(f"/visits/{visit.pk}/")
    meeting = page.locator("#meeting")
    assert meeting.locator("[data-meeting-time]").inner_text().strip() == "10:30"
    assert meeting.locator("[data-meeting-place]").inner_text().strip() == place
    map_link = page.get_by_role("link", name=map_name)
    assert map_link.is_visible()
    href = map_link.get_attribute("href") or ""
    assert href.startswith("https://www.openstreetmap.org/search?query=")
    call = page.get_by_role("link", name=call_name)
    assert call.is_visible() and call.get_attribute("href") == "tel:0422001111"
    emergency = page.locator("[data-call-emergency]")
    assert emergency.get_attribute("href") == "tel:0422601234"
    # Within the phone's width: the links are on screen, not off to the side.
    for link in (map_link, call):
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    failures = browsing.audit(page, f"visit-meeting-{language}")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_the_family_changes_the_meeting_on_a_phone(browsing: Browsing, coordinator) -> None:
    visit = off_loop(lambda: _visit(coordinator))
    page = browsing.page(visit.host_application.user, language="en", width=PHONE)
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_text("Change the meeting time or place").click()
    page.get_by_label("Meeting time").fill("09:45")
    page.get_by_label("Meeting place").fill("North exit, by the bakery")
    # The student is e-mailed on commit: the server's thread sends it.
    page.get_by_role("button", name="Save the meeting").click()
    page.get_by_text("the student has been told").wait_for()
    assert page.locator("[data-meeting-time]").inner_text().strip() == "09:45"
    assert "North exit, by the bakery" in page.locator("[data-meeting-place]").inner_text()
    failures = browsing.audit(page, "visit-meeting-changed")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
