"""Visiting together on the pages: the student invites on the programme's page, the friend
confirms there (the dashboard points to it), the review says who was placed together and why a
pair was not; the "not alone" wish on the application form; the coordinator's fair-tie
checkbox on the programme form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from frontend.views.coordinator.reasons import reason_text
from matching.models import Application, GroupRequest, Program, Round
from matching.services import groups as group_services
from tests import factories

pytestmark = pytest.mark.django_db


def _applicant(program: Program, name: str) -> Application:
    user = factories.StudentProfileFactory(user__name=name).user
    return factories.ApplicationFactory(program=program, user=user)


def _page(program: Program) -> str:
    return reverse("frontend:program_apply", kwargs={"program_id": program.pk})


def test_invite_then_confirm_on_the_programme_page(program: Program, page_client: Any) -> None:
    lan, ha = _applicant(program, "Nguyen Thi Lan"), _applicant(program, "Pham Thu Ha")
    lan_client = page_client(lan.user, language="en")
    html = lan_client.get(_page(program)).content.decode()
    assert "Your friend&#x27;s e-mail address or name" in html
    answer = lan_client.post(
        reverse("frontend:group_invite", kwargs={"program_id": program.pk}),
        {"friend": "pham thu ha", "relation": "friend"},
        follow=True,
    )
    page = answer.content.decode()
    assert "Invitation sent to Pham Thu Ha" in page
    assert 'data-group-status="sent"' in page
    request = GroupRequest.objects.get()
    # The friend reads it on their dashboard and on the programme's page, in Japanese.
    ha_client = page_client(ha.user, language="ja")
    dashboard = ha_client.get(reverse("frontend:dashboard")).content.decode()
    assert "Nguyen Thi Lan" in dashboard and f"{_page(program)}#together" in dashboard
    assert 'data-group-status="received"' in ha_client.get(_page(program)).content.decode()
    confirmed = ha_client.post(
        reverse("frontend:group_confirm", kwargs={"request_id": request.pk}), follow=True
    )
    assert 'data-group-status="confirmed"' in confirmed.content.decode()
    request.refresh_from_db()
    assert request.status == GroupRequest.Status.CONFIRMED
    html = lan_client.get(_page(program)).content.decode()
    assert "You visit together with Pham Thu Ha" in html


def test_an_invitation_refused_says_why_and_stores_nothing(
    program: Program, page_client: Any
) -> None:
    lan = _applicant(program, "Nguyen Thi Lan")
    answer = page_client(lan.user, language="en").post(
        reverse("frontend:group_invite", kwargs={"program_id": program.pk}),
        {"friend": "nobody@example.org", "relation": "friend"},
        follow=True,
    )
    assert "must apply to the same programme first" in answer.content.decode()
    assert not GroupRequest.objects.exists()


def test_only_the_two_students_answer_an_invitation(program: Program, page_client: Any) -> None:
    lan, ha = _applicant(program, "Lan"), _applicant(program, "Ha")
    request = group_services.group_request_create(program=program, by=lan.user, email=ha.user.email)
    stranger = _applicant(program, "Stranger").user
    host = factories.HostProfileFactory().user
    for name in ("frontend:group_confirm", "frontend:group_decline"):
        url = reverse(name, kwargs={"request_id": request.pk})
        assert page_client(stranger).post(url).status_code == 404
        assert page_client(host).post(url).status_code == 403
        assert page_client(program.created_by).post(url).status_code == 403
    request.refresh_from_db()
    assert request.status == GroupRequest.Status.PENDING
    # The inviter cannot confirm; the page says why instead.
    answer = page_client(lan.user, language="en").post(
        reverse("frontend:group_confirm", kwargs={"request_id": request.pk}), follow=True
    )
    assert "Only the invited student can confirm." in answer.content.decode()


def test_the_student_asks_not_to_visit_alone_on_the_application_form(
    program: Program, page_client: Any
) -> None:
    user = factories.StudentProfileFactory().user
    client = page_client(user, language="en")
    assert "I would rather not visit alone" in client.get(_page(program)).content.decode()
    answer = client.post(_page(program), {"dates": program.dates, "not_alone": "on"}, follow=True)
    assert Application.objects.get(user=user).not_alone is True
    # after applying, the wish stays in view and can still be changed: the box comes ticked
    page = answer.content.decode()
    assert 'id="not-alone"' in page
    assert re.search(r'<input type="checkbox" name="not_alone"[^>]* checked', page)
    host = factories.HostProfileFactory().user
    assert "not visit alone" not in page_client(host).get(_page(program)).content.decode()


def _round_with_a_pair(program: Program) -> tuple[Round, Application, Application]:
    rnd = factories.RoundFactory(program=program, created_by=program.created_by)
    lan, ha = _applicant(program, "Nguyen Thi Lan"), _applicant(program, "Pham Thu Ha")
    family = factories.HostApplicationFactory(program=program, seats=2)
    for app in (lan, ha):
        factories.ProposalFactory(round=rnd, student_application=app, host_application=family)
    rnd.groups = [[lan.pk, ha.pk]]
    rnd.save()
    return rnd, lan, ha


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Placed together with Pham Thu Ha"), ("ja", "Pham Thu Ha さんと一緒に")],
)
def test_the_review_says_who_was_placed_together(
    program: Program, page_client: Any, coordinator: User, language: str, words: str
) -> None:
    rnd, _lan, _ha = _round_with_a_pair(program)
    html = page_client(coordinator, language=language).get(
        reverse("frontend:coordinator:round", kwargs={"round_id": rnd.pk})
    )
    assert words in html.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["no family could take both", "Pham Thu Ha (#"]),
        ("ja", ["友人", "Pham Thu Ha (#", "同じ日"]),
    ],
)
def test_a_pair_left_out_is_explained_with_the_partners_name(
    language: str, words: list[str]
) -> None:
    reason = {"code": "group", "params": {"partner": 17, "partner_name": "Pham Thu Ha"}}
    with translation.override(language):
        text = reason_text(reason, "student", reference={})
    assert all(w in text for w in words), text
    for code in ("group_partner_placed", "group_partner_not_ready"):
        with translation.override(language):
            other = reason_text({"code": code, "params": reason["params"]}, "student", {})
        assert "Pham Thu Ha (#17)" in other


def test_the_programme_form_sets_unplaced_twice_first(
    coord: Client, page_client: Any, coordinator: User
) -> None:
    url = reverse("frontend:coordinator:program_create")
    assert "Anyone unplaced twice is placed first" in coord.get(url).content.decode()
    ja = page_client(coordinator, language="ja")
    assert "2回配置されなかった人を最優先" in ja.get(url).content.decode()
    today = timezone.localdate()
    body = {
        "name": "秋のホームビジット",
        "kind": "home_visit",
        "dates": (today + dt.timedelta(days=40)).isoformat(),
        "apply_until": (today + dt.timedelta(days=30)).isoformat(),
        "response_hours": "72",
    }
    coord = page_client(coordinator, language="en")
    assert coord.post(url, {**body, "unplaced_twice_first": "on"}).status_code == 302
    assert coord.post(url, {**body, "name": "冬"}).status_code == 302
    assert Program.objects.get(name="秋のホームビジット").unplaced_twice_first is True
    assert Program.objects.get(name="冬").unplaced_twice_first is False
