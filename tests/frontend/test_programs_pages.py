"""Programmes and applying, through the same service as the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Application, HostDay
from tests.factories import ApplicationFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_programme_list_shows_open_programmes(page_client, student, language: str) -> None:
    program = ProgramFactory(name="Winter visits")
    ProgramFactory(name="Old one", apply_until=timezone.now() - dt.timedelta(days=1))
    response = page_client(student, language=language).get(reverse("frontend:programs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Winter visits" in html and "Old one" not in html
    assert reverse("frontend:program_apply", kwargs={"program_id": program.pk}) in html


def test_programme_list_needs_login_and_a_member(page_client, coordinator) -> None:
    anonymous = page_client().get(reverse("frontend:programs"))
    assert anonymous.status_code == 302 and "/login/" in anonymous.url
    assert page_client(coordinator).get(reverse("frontend:programs")).status_code == 403


def test_programme_list_query_count_does_not_grow(page_client, student) -> None:
    ProgramFactory.create_batch(2)
    client = page_client(student, language="en")
    client.get(reverse("frontend:programs"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("frontend:programs"))
    ProgramFactory.create_batch(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("frontend:programs")).status_code == 200
    assert len(many) == len(few)


def test_student_applies_with_dates(page_client, student) -> None:
    program = ProgramFactory()
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    client = page_client(student, language="en")
    assert "The days you can make" in client.get(url).content.decode()
    response = client.post(url, {"dates": [program.dates[0]]})
    assert response.status_code == 302
    application = Application.objects.get(program=program, user=student)
    assert application.dates == [program.dates[0]]
    assert "Your application" in client.get(url).content.decode()


def test_host_applies_with_seats(page_client, host) -> None:
    program = ProgramFactory()
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    response = page_client(host, language="en").post(
        url, {"dates": list(program.dates), "capacity": "2"}
    )
    assert response.status_code == 302
    assert sorted(HostDay.objects.values_list("seats", flat=True)) == [2, 2]


def test_missing_dates_show_an_error_beside_the_dates(page_client, host) -> None:
    program = ProgramFactory()
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    response = page_client(host, language="en").post(url, {"capacity": "5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_dates_error"' in html
    assert 'id="id_capacity_error"' in html
    assert not Application.objects.exists()


def test_incomplete_profile_is_told_above_the_form(page_client) -> None:
    program = ProgramFactory()
    newcomer = UserFactory(role="student")
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    response = page_client(newcomer, language="en").post(url, {"dates": [program.dates[0]]})
    assert response.status_code == 200
    assert "Complete your profile" in response.content.decode()
    assert not Application.objects.exists()


def test_withdraw(page_client, student) -> None:
    program = ProgramFactory()
    client = page_client(student, language="en")
    client.post(
        reverse("frontend:program_apply", kwargs={"program_id": program.pk}),
        {"dates": [program.dates[0]]},
    )
    client.post(reverse("frontend:program_withdraw", kwargs={"program_id": program.pk}))
    assert Application.objects.get().status == Application.Status.WITHDRAWN


@pytest.mark.parametrize("language", ["en", "ja"])
def test_an_application_to_a_programme_whose_days_are_over_says_so(
    page_client, student, language: str
) -> None:
    """After the last visit day nothing is coming: no "we will let you know", no withdrawal."""
    past = [(timezone.localdate() - dt.timedelta(days=d)).isoformat() for d in (20, 13)]
    program = ProgramFactory(dates=past, apply_until=timezone.now() - dt.timedelta(days=30))
    ApplicationFactory(program=program, user=student, role=student.role)
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    html = page_client(student, language=language).get(url).content.decode()
    over = {
        "en": "The days of this programme are over.",
        "ja": "このプログラムの日程は終わりました。",
    }
    assert over[language] in html
    assert "We will let you know" not in html
    assert reverse("frontend:program_withdraw", kwargs={"program_id": program.pk}) not in html
    assert reverse("frontend:program_not_alone", kwargs={"program_id": program.pk}) not in html
    program.dates = [timezone.localdate().isoformat()]  # the last day is today: not over yet
    program.save()
    html = page_client(student, language="en").get(url).content.decode()
    assert "The days of this programme are over." not in html
    assert reverse("frontend:program_withdraw", kwargs={"program_id": program.pk}) in html
    assert reverse("frontend:program_not_alone", kwargs={"program_id": program.pk}) in html


def test_a_closed_programme_nobody_applied_to_is_404(page_client, student) -> None:
    program = ProgramFactory(apply_until=timezone.now() - dt.timedelta(days=1))
    url = reverse("frontend:program_apply", kwargs={"program_id": program.pk})
    assert page_client(student).get(url).status_code == 404
