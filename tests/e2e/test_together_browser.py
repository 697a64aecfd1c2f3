"""Visiting together on a phone (375 px): a student invites a friend by name on the programme's
page, the friend finds the invitation on the dashboard and confirms it, and the next round
places the two with the same family on the same day; the review says so. A beginner turns
"not alone" on after applying, and the coordinator's applications name the group and the wish."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import User
from matching.models import Application, GroupRequest, Program, Proposal, Round
from matching.services.groups import group_request_confirm, group_request_create
from matching.services.rounds import round_start
from tests import factories
from tests.e2e.conftest import PHONE, Browsing, off_loop, wait_until, words_broken_across_lines

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _programme(coordinator: User) -> tuple[Program, Application, Application, Application]:
    """Two students of a home visit, two families of one seat that share their interests, and
    one of two seats that does not: alone, each would go to a one-seat family."""
    program = factories.ProgramFactory(created_by=coordinator, name="Autumn visits")
    lan, ha = (
        factories.ApplicationFactory(
            program=program, user=factories.StudentProfileFactory(user__name=name).user
        )
        for name in ("Nguyen Thi Lan", "Pham Thu Ha")
    )
    for _ in range(2):
        factories.HostApplicationFactory(
            program=program,
            user=factories.HostProfileFactory(interests=["cooking", "music"]).user,
            seats=1,
        )
    both = factories.HostApplicationFactory(
        program=program, user=factories.HostProfileFactory(interests=["gardening"]).user, seats=2
    )
    return program, lan, ha, both


def test_invite_confirm_and_the_round_places_the_two_together(
    browsing: Browsing, coordinator: User
) -> None:
    program, lan, ha, both = off_loop(lambda: _programme(coordinator))
    page = browsing.page(lan.user, language="en", width=PHONE)
    page.goto(f"/programmes/{program.pk}/")
    together = page.locator("#together")
    together.get_by_label("Your friend's e-mail address or name").fill("pham thu ha")
    together.get_by_label("Friend", exact=True).check()
    together.get_by_role("button", name="Send the invitation").click()
    page.wait_for_load_state()
    assert "Invitation sent to Pham Thu Ha" in page.locator("main").inner_text()
    assert page.locator("[data-group-status=sent]").is_visible()
    failures = browsing.audit(page, "together-invited-phone")

    friend = browsing.page(ha.user, language="ja", width=PHONE)
    friend.goto("/dashboard/")
    friend.locator(".next-steps__list a", has_text="Nguyen Thi Lan").click()
    friend.wait_for_url(f"**/programmes/{program.pk}/#together")
    assert friend.locator("[data-group-status=received]").is_visible()
    failures += browsing.audit(friend, "together-received-phone-ja")
    friend.get_by_role("button", name="承諾して一緒に訪問する").click()
    friend.wait_for_load_state()
    assert friend.locator("[data-group-status=confirmed]").is_visible()
    assert GroupRequest.objects.get().status == GroupRequest.Status.CONFIRMED

    rnd = off_loop(lambda: round_start(program=program, by=coordinator))
    assert wait_until(lambda: Round.objects.get(pk=rnd.pk).status == Round.Status.DRAFT, 20)
    placed = {
        p.student_application_id: (p.host_application_id, p.date)
        for p in Proposal.objects.filter(round=rnd)
    }
    assert placed[lan.pk] == placed[ha.pk] and placed[lan.pk][0] == both.pk

    review = browsing.page(coordinator, language="en", width=PHONE)
    review.goto(f"/coordinator/rounds/{rnd.pk}/")
    notes: Any = review.locator("[data-together]")
    assert notes.count() == 2
    assert "Placed together with Pham Thu Ha" in " ".join(notes.all_inner_texts())
    failures += browsing.audit(review, "together-review-phone")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_not_alone_changed_on_a_phone_and_the_coordinator_sees_groups_and_wishes(
    browsing: Browsing, coordinator: User
) -> None:
    program, lan, ha, _both = off_loop(lambda: _programme(coordinator))

    def setup() -> Application:
        request = group_request_create(program=program, by=lan.user, email=ha.user.email)
        group_request_confirm(request_id=request.pk, by=ha.user)
        user = factories.StudentProfileFactory(user__name="Kim Minji").user
        return factories.ApplicationFactory(program=program, user=user)

    shy = off_loop(setup)
    page = browsing.page(shy.user, language="ja", width=PHONE)
    page.goto(f"/programmes/{program.pk}/")
    wish = page.locator("#not-alone")
    wish.get_by_label("一人での訪問は避けたい").check()
    wish.get_by_role("button", name="この選択を保存").click()
    page.wait_for_url(f"**/programmes/{program.pk}/#not-alone")
    assert page.locator("#not-alone input[name=not_alone]").is_checked()
    assert Application.objects.get(pk=shy.pk).not_alone is True
    failures = browsing.audit(page, "not-alone-changed-phone-ja")

    listing = browsing.page(coordinator, language="en", width=PHONE)
    listing.goto(f"/coordinator/programs/{program.pk}/applications/")
    text = listing.locator("main").inner_text()
    assert "Together with Pham Thu Ha" in text and "Together with Nguyen Thi Lan" in text
    assert listing.locator("[data-not-alone]").is_visible()
    assert not words_broken_across_lines(listing), words_broken_across_lines(listing)
    failures += browsing.audit(listing, "applications-together-phone")
    listing.get_by_role("link", name="Together with Pham Thu Ha").click()
    listing.wait_for_url(f"**/coordinator/applications/{ha.pk}/")
    assert "Together with Nguyen Thi Lan" in listing.locator("main").inner_text()
    failures += browsing.audit(listing, "application-together-phone")
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)
