"""My proposals (accept, decline with a reason), my visits (address once confirmed, .ics,
feedback after the day), through matching's proposal services and selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Feedback, Proposal
from matching.services.proposals import round_publish
from tests.factories import (
    ApplicationFactory,
    HostApplicationFactory,
    ProposalFactory,
    RoundFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(coordinator) -> Proposal:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    draft.refresh_from_db()
    assert draft.status == Proposal.Status.PROPOSED
    return draft


def _parties(proposal: Proposal):
    return proposal.student_application.user, proposal.host_application.user


@pytest.mark.parametrize("language", ["ja", "en"])
def test_both_sides_see_the_proposal_and_its_deadline(page_client, proposal, language) -> None:
    student, host = _parties(proposal)
    for user in (student, host):
        html = page_client(user, language=language).get(reverse("frontend:proposals")).content
        html = html.decode()
        assert reverse("frontend:proposal_accept", kwargs={"proposal_id": proposal.pk}) in html
        assert proposal.program.name in html
    # Before confirmation the student does not see the family's address.
    html = page_client(student, language="en").get(reverse("frontend:proposals")).content.decode()
    assert proposal.host_application.user.host_profile.address not in html
    assert "Please answer by" in html


def test_a_stranger_cannot_open_or_answer_a_proposal(page_client, proposal, host) -> None:
    stranger = page_client(host)
    decline = reverse("frontend:proposal_decline", kwargs={"proposal_id": proposal.pk})
    accept = reverse("frontend:proposal_accept", kwargs={"proposal_id": proposal.pk})
    assert stranger.get(decline).status_code == 404
    assert stranger.post(accept).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED


def test_proposals_need_login(page_client) -> None:
    response = page_client().get(reverse("frontend:proposals"))
    assert response.status_code == 302 and "/login/" in response.url


def test_both_accept_then_the_visit_shows_the_address_and_a_calendar_file(
    page_client, proposal
) -> None:
    student, host = _parties(proposal)
    accept = reverse("frontend:proposal_accept", kwargs={"proposal_id": proposal.pk})
    assert page_client(student).post(accept).url == reverse("frontend:proposals")
    response = page_client(host).post(accept)
    assert response.url == reverse("frontend:visit", kwargs={"proposal_id": proposal.pk})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CONFIRMED

    client = page_client(student, language="en")
    html = client.get(reverse("frontend:visit", kwargs={"proposal_id": proposal.pk})).content
    assert host.host_profile.address in html.decode()
    visits = client.get(reverse("frontend:visits")).content.decode()
    assert reverse("frontend:visit", kwargs={"proposal_id": proposal.pk}) in visits
    ics = client.get(reverse("frontend:visit_calendar", kwargs={"proposal_id": proposal.pk}))
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content

    # The family does not get the address of... itself shown as the student's; it sees the
    # student, and a second answer is refused with a message, not a 500.
    again = page_client(host, language="en").post(accept, follow=True)
    assert again.status_code == 200


def test_decline_with_a_reason(page_client, proposal) -> None:
    student, _host = _parties(proposal)
    url = reverse("frontend:proposal_decline", kwargs={"proposal_id": proposal.pk})
    client = page_client(student, language="en")
    assert 'for="id_reason"' in client.get(url).content.decode()
    response = client.post(url, {"reason": "I have an exam that day."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DECLINED
    assert proposal.events.last().reason == "I have an exam that day."


def test_a_too_long_reason_is_shown_beside_the_field(page_client, proposal) -> None:
    student, _host = _parties(proposal)
    url = reverse("frontend:proposal_decline", kwargs={"proposal_id": proposal.pk})
    response = page_client(student, language="en").post(url, {"reason": "x" * 2500})
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED


def test_feedback_after_the_day(page_client, proposal) -> None:
    student, host = _parties(proposal)
    accept = reverse("frontend:proposal_accept", kwargs={"proposal_id": proposal.pk})
    page_client(student).post(accept)
    page_client(host).post(accept)
    url = reverse("frontend:visit", kwargs={"proposal_id": proposal.pk})
    client = page_client(student, language="en")
    assert 'name="rating"' not in client.get(url).content.decode()  # the day is still to come

    Proposal.objects.filter(pk=proposal.pk).update(date=timezone.localdate() - dt.timedelta(days=1))
    assert 'name="rating"' in client.get(url).content.decode()
    bad = client.post(url, {"rating": "9", "would_meet_again": "yes"})
    assert 'id="id_rating_error"' in bad.content.decode()
    assert client.post(url, {"rating": "5", "would_meet_again": "yes"}).status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.would_meet_again, feedback.author) == (5, True, student)
    assert 'name="rating"' not in client.get(url).content.decode()


def test_an_unconfirmed_visit_is_404(page_client, proposal) -> None:
    student, _host = _parties(proposal)
    url = reverse("frontend:visit", kwargs={"proposal_id": proposal.pk})
    assert page_client(student).get(url).status_code == 404


def _proposals_of(student, host, *, count: int, status: str) -> None:
    """``count`` proposals between the two, each in a programme of its own."""
    for _ in range(count):
        rnd = RoundFactory()
        ProposalFactory(
            round=rnd,
            student_application=ApplicationFactory(program=rnd.program, user=student),
            host_application=HostApplicationFactory(program=rnd.program, user=host),
            status=status,
        )


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("frontend:proposals", Proposal.Status.PROPOSED),
        ("frontend:visits", Proposal.Status.CONFIRMED),
    ],
)
def test_a_partys_lists_take_the_same_queries_for_one_row_or_six(
    page_client, proposal, page, status
) -> None:
    student, host = _parties(proposal)
    client = page_client(host, language="en")
    _proposals_of(student, host, count=1, status=status)
    client.get(reverse(page))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(page)).status_code == 200
    _proposals_of(student, host, count=5, status=status)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse(page)).content.decode()
    assert html.count(student.name) >= 6
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("aid", "expected", "absent"),
    [
        ("furigana", "<ruby>料理<rt>りょうり</rt></ruby>", None),
        ("romaji", 'lang="ja-Latn">ryouri ga suki desu.', "<ruby>"),
        ("off", '<span data-reading-aid="off">料理が好きです。', "<ruby>"),
    ],
)
def test_the_familys_own_words_with_the_readers_aid(
    page_client, proposal, aid: str, expected: str, absent: str | None
) -> None:
    student, host = _parties(proposal)
    host.host_profile.bio = "料理が好きです。"
    host.host_profile.save(update_fields=["bio"])
    student.reading_aid = aid
    student.save(update_fields=["reading_aid"])
    html = page_client(student, language="en").get(reverse("frontend:proposals")).content.decode()
    assert expected in html
    if absent:
        assert absent not in html.split("<main", 1)[1]
