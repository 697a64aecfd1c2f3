"""Every page of ours answers in Japanese and in English, and each one's access rule holds:
visitors go to the log-in page, coordinators are refused the member pages, and nobody sees
another person's proposal, visit or conversation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chat.models import Conversation
from chat.services import message_post
from frontend.formatting import day_label, moment_label
from matching.models import Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.factories import ApplicationFactory, ProgramFactory, ProposalFactory, RoundFactory

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/signup/", "/login/", "/password-reset/", "/password-reset/sent/"]


@pytest.fixture
def world(coordinator) -> dict:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    proposal_accept(proposal_id=draft.pk, by=draft.student_application.user)
    proposal_accept(proposal_id=draft.pk, by=draft.host_application.user)
    proposal = Proposal.objects.get(pk=draft.pk)
    conversation = Conversation.objects.get(proposal=proposal)
    host = proposal.host_application.user
    message, _ = message_post(conversation_id=conversation.pk, sender=host, body="Hello")
    return {
        "student": proposal.student_application.user,
        "host": host,
        "proposal": proposal,
        "conversation": conversation,
        "message": message,
        "program": ProgramFactory(),
    }


def _member_urls(world: dict) -> list[str]:
    p, c, m = world["proposal"], world["conversation"], world["message"]
    return [
        "/dashboard/",
        "/profile/",
        "/registration/",
        "/programmes/",
        f"/programmes/{world['program'].pk}/",
        f"/programmes/{p.program_id}/",
        "/proposals/",
        "/visits/",
        f"/visits/{p.pk}/",
        "/messages/",
        f"/messages/{c.pk}/",
        f"/messages/{c.pk}/report/{m.pk}/",
    ]


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_in_both_languages(page_client, url: str) -> None:
    en = page_client(language="en").get(url)
    ja = page_client(language="ja").get(url)
    assert en.status_code == ja.status_code == 200
    assert 'lang="en"' in en.content.decode() and 'lang="ja"' in ja.content.decode()
    assert _title(en.content.decode()) != _title(ja.content.decode())


def test_member_pages_in_both_languages(page_client, world) -> None:
    for url in _member_urls(world):
        en = page_client(world["student"], language="en").get(url)
        ja = page_client(world["student"], language="ja").get(url)
        assert en.status_code == ja.status_code == 200, url
        en_html, ja_html = en.content.decode(), ja.content.decode()
        assert 'lang="ja"' in ja_html, url
        assert _title(en_html) != _title(ja_html) or "·" not in _title(en_html), url
        assert "縁側" in ja_html and "Engawa" in en_html


def test_visitors_are_sent_to_log_in(page_client, world) -> None:
    for url in _member_urls(world):
        response = page_client().get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/?next="), url


def test_coordinators_are_refused_member_pages(page_client, world, coordinator) -> None:
    client = page_client(coordinator)
    for url in _member_urls(world)[1:]:
        assert client.get(url).status_code == 403, url


def test_nobody_sees_someone_elses_visit_or_conversation(page_client, world, student) -> None:
    stranger = page_client(student)
    p, c, m = world["proposal"], world["conversation"], world["message"]
    for url in (
        f"/visits/{p.pk}/",
        f"/visits/{p.pk}/calendar.ics",
        f"/proposals/{p.pk}/decline/",
        f"/messages/{c.pk}/",
        f"/messages/{c.pk}/report/{m.pk}/",
    ):
        assert stranger.get(url).status_code == 404, url


def test_a_family_sees_the_student_not_an_address(page_client, world) -> None:
    html = page_client(world["host"], language="en").get(f"/visits/{world['proposal'].pk}/")
    html = html.content.decode()
    assert "Nationality" in html and world["student"].name in html
    assert world["host"].host_profile.address not in html


def test_coordinator_nav_comes_from_the_coordinator_pages(page_client, coordinator) -> None:
    html = page_client(coordinator, language="en").get(reverse("frontend:dashboard"), follow=True)
    assert html.status_code == 200
    assert "/coordinator/" in html.content.decode()


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("ja", "2026年12月26日(土)", "2026年12月26日 18:00"),
        ("en", "Sat 26 December 2026", "26 December 2026, 18:00"),
    ],
)
def test_dates_in_tokyo_time_in_each_language(language: str, day: str, moment: str) -> None:
    import datetime as dt

    from django.utils import translation

    with translation.override(language):
        assert day_label("2026-12-26") == day
        # 09:00 UTC is 18:00 in Tokyo.
        assert moment_label(dt.datetime(2026, 12, 26, 9, 0, tzinfo=dt.UTC)) == moment


def _waiting_and_upcoming(student, coordinator) -> None:
    """A proposal waiting for ``student``'s answer and a confirmed visit, in new programmes."""
    for confirmed in (False, True):
        rnd = RoundFactory()
        draft = ProposalFactory(
            round=rnd, student_application=ApplicationFactory(program=rnd.program, user=student)
        )
        round_publish(round_id=draft.round_id, by=coordinator)
        if confirmed:
            proposal_accept(proposal_id=draft.pk, by=student)
            proposal_accept(proposal_id=draft.pk, by=draft.host_application.user)


def test_the_dashboard_takes_the_same_queries_for_few_rows_or_many(
    page_client, world, coordinator
) -> None:
    student = world["student"]
    client = page_client(student, language="en")
    _waiting_and_upcoming(student, coordinator)
    client.get("/dashboard/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/dashboard/").status_code == 200
    ProgramFactory.create_batch(5)
    for _ in range(3):
        _waiting_and_upcoming(student, coordinator)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/dashboard/").status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Page not found"), ("ja", "ページが見つかりません")]
)
def test_not_found_page_is_ours_in_both_languages(page_client, student, language, text) -> None:
    response = page_client(student, language=language).get("/visits/999999/")
    assert response.status_code == 404
    assert text in response.content.decode()


def test_forbidden_page_is_ours(page_client, coordinator) -> None:
    response = page_client(coordinator, language="en").get("/proposals/")
    assert response.status_code == 403
    assert "Not available to you" in response.content.decode()


def test_server_error_page_renders_without_a_request() -> None:
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html or "問題が発生しました" in html
