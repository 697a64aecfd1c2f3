"""Who may open the coordinator's pages, in both languages, and their navigation."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from matching.models import Program, Proposal, Round
from tests import factories
from tests.frontend.conftest import published_round

pytestmark = pytest.mark.django_db


def _page_urls(program: Program, rnd: Round, proposal: Proposal) -> list[str]:
    return [
        reverse("frontend:coordinator:programs"),
        reverse("frontend:coordinator:program_create"),
        reverse("frontend:coordinator:program", args=[program.pk]),
        reverse("frontend:coordinator:applications", args=[program.pk]),
        reverse("frontend:coordinator:application", args=[proposal.host_application_id]),
        reverse("frontend:coordinator:round_start", args=[program.pk]),
        reverse("frontend:coordinator:round", args=[rnd.pk]),
        reverse("frontend:coordinator:rounds_compare", args=[program.pk])
        + f"?a={rnd.pk}&b={rnd.pk}",
        reverse("frontend:coordinator:answers", args=[program.pk]),
        reverse("frontend:coordinator:proposal", args=[proposal.pk]),
        reverse("frontend:coordinator:reports"),
        reverse("frontend:coordinator:announcement", args=[program.pk]),
        reverse("frontend:coordinator:visits_csv", args=[program.pk]),
        reverse("frontend:coordinator:people"),
        reverse("frontend:coordinator:person", args=[proposal.host_application.user_id]),
        reverse("frontend:coordinator:person", args=[proposal.student_application.user_id]),
    ]


def test_only_coordinators_open_the_pages(
    page_client: Callable[..., Client],
    coordinator: User,
    student: User,
    host: User,
    program: Program,
) -> None:
    rnd, proposal = published_round(program)
    urls = _page_urls(program, rnd, proposal)
    anonymous = page_client()
    for url in urls:
        answer = anonymous.get(url)
        assert answer.status_code == 302 and "/login/" in answer["Location"], url
    for user in (student, host):
        client = page_client(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
    coord = page_client(coordinator)
    for url in urls:
        assert coord.get(url).status_code == 200, url


def test_posts_are_refused_to_others(
    page_client: Callable[..., Client], student: User, program: Program
) -> None:
    rnd, proposal = published_round(program)
    client = page_client(student)
    posts = [
        reverse("frontend:coordinator:program_close", args=[program.pk]),
        reverse("frontend:coordinator:round_publish", args=[rnd.pk]),
        reverse("frontend:coordinator:proposal_remind", args=[proposal.pk]),
        reverse("frontend:coordinator:proposal_answer", args=[proposal.pk]),
        reverse("frontend:coordinator:proposal_cancel", args=[proposal.pk]),
        reverse("frontend:coordinator:announcement", args=[program.pk]),
        reverse("frontend:coordinator:person_suspend", args=[proposal.host_application.user_id]),
        reverse("frontend:coordinator:person_confirm", args=[student.pk]),
    ]
    for url in posts:
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    program.refresh_from_db()
    assert program.status == Program.Status.OPEN


def test_missing_rows_are_404(coord: Client) -> None:
    for url in (
        reverse("frontend:coordinator:program", args=[999999]),
        reverse("frontend:coordinator:round", args=[999999]),
        reverse("frontend:coordinator:proposal", args=[999999]),
        reverse("frontend:coordinator:application", args=[999999]),
        reverse("frontend:coordinator:person", args=[999999]),
    ):
        assert coord.get(url).status_code == 404, url


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_in_both_languages(
    page_client: Callable[..., Client], coordinator: User, program: Program, language: str
) -> None:
    rnd, proposal = published_round(program)
    client = page_client(coordinator, language)
    for url in _page_urls(program, rnd, proposal):
        answer = client.get(url)
        assert answer.status_code == 200, url
        if answer["Content-Type"].startswith("text/html"):
            html = answer.content.decode()
            assert f'<html lang="{language}">' in html, url
            # CSP: no inline style or script on any coordinator page.
            assert " style=" not in html, url
            assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), url


def test_coordinator_nav_links(coord: Client) -> None:
    page = coord.get(reverse("frontend:coordinator:programs")).content.decode()
    assert reverse("frontend:coordinator:reports") in page
    assert 'aria-current="page"' in page


def test_role_check_uses_the_role_not_staff(
    page_client: Callable[..., Client],
) -> None:
    staff_student = factories.UserFactory(role=Role.STUDENT, is_staff=True)
    assert (
        page_client(staff_student).get(reverse("frontend:coordinator:programs")).status_code == 403
    )
