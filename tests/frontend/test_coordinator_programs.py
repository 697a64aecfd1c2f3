"""The coordinator's programme, application and announcement pages: forms with errors beside
the field, filters, an applicant's page, and lists whose query count does not grow with their
rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from matching.models import Application, Program, Proposal, Round, Unplaced
from matching.services.groups import group_request_confirm, group_request_create
from tests import factories
from tests.frontend.conftest import coordinator_round, field_block, published_round

pytestmark = pytest.mark.django_db


def test_programmes_list_shows_counts_with_constant_queries(
    coord: Client, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    url = reverse("frontend:coordinator:programs")
    program = factories.ProgramFactory(created_by=coordinator, name="Spring visits")
    factories.ApplicationFactory(program=program)
    with CaptureQueriesContext(connection) as few:
        answer = coord.get(url)
    assert "Spring visits" in answer.content.decode()
    for _ in range(4):
        other = factories.ProgramFactory(created_by=coordinator)
        factories.ApplicationFactory(program=other)
        factories.HostApplicationFactory(program=other)
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    assert answer.content.decode().count("/coordinator/programs/") >= 5


def test_create_programme_with_bad_dates_shows_the_error_beside_the_field(coord: Client) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "Winter visits",
            "kind": "home_visit",
            "dates": "2001-01-01\nnot-a-date",
            "apply_until": "2000-12-01T10:00",
            "response_hours": "72",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    block = field_block(html, "id_dates")
    assert "field--invalid" in block
    assert 'class="errorlist' in block
    assert not Program.objects.filter(name="Winter visits").exists()


def test_the_programme_form_reads_its_limits_from_the_model() -> None:
    from frontend.views.coordinator.programs import ProgramForm
    from matching.models import RESPONSE_HOURS_MAX

    assert ProgramForm().fields["name"].max_length == Program._meta.get_field("name").max_length
    assert ProgramForm().fields["description"].max_length == (
        Program._meta.get_field("description").max_length
    )
    body = {
        "name": "x" * 201,
        "kind": "home_visit",
        "dates": "2030-01-01",
        "apply_until": "2029-12-01T10:00",
        "response_hours": str(RESPONSE_HOURS_MAX + 1),
        "description": "y" * 10_001,
    }
    form = ProgramForm(body)
    assert not form.is_valid()
    assert set(form.errors) == {"name", "response_hours", "description"}
    assert ProgramForm(
        {**body, "name": "Winter", "description": "", "response_hours": "720"}
    ).is_valid()


def test_create_programme_without_a_name_names_the_field(coord: Client) -> None:
    answer = coord.post(reverse("frontend:coordinator:program_create"), {"kind": "home_visit"})
    assert answer.status_code == 400
    assert 'class="errorlist' in field_block(answer.content.decode(), "id_name")


def test_create_and_close_a_programme(coord: Client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    days = [(today + timezone.timedelta(days=n)).isoformat() for n in (40, 47)]
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "Summer visits",
            "kind": "home_visit",
            "dates": "\n".join(days),
            "apply_until": (today + timezone.timedelta(days=20)).isoformat() + "T18:00",
            "response_hours": "48",
            "description": "Two Saturdays.",
        },
    )
    program = Program.objects.get(name="Summer visits")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontend:coordinator:program", args=[program.pk])
    assert program.dates == days and program.response_hours == 48
    page = coord.get(answer["Location"]).content.decode()
    assert "Summer visits" in page and "Run a matching round" in page
    assert "Taking applications" in page
    assert "<dt>Students</dt><dd>0</dd>" in page
    closed = coord.post(reverse("frontend:coordinator:program_close", args=[program.pk]))
    assert closed.status_code == 302
    program.refresh_from_db()
    assert program.status == Program.Status.CLOSED
    page = coord.get(reverse("frontend:coordinator:program", args=[program.pk])).content.decode()
    assert "Closed" in page and "Run a matching round" not in page


def _names(html: str) -> set[str]:
    """The names in the applications table's row headers (each after its phone card label)."""
    return set(
        re.findall(
            r'<th role="rowheader" scope="row"><span class="cell-label" aria-hidden="true">'
            r'Name</span><a href="/coordinator/applications/\d+/">([^<]+)</a>',
            html,
        )
    )


def test_application_filters(coord: Client, program: Program) -> None:
    _rnd, proposal = published_round(program)
    incomplete = factories.ApplicationFactory(
        program=program,
        user=factories.StudentProfileFactory(
            home_station_id=None, user__name="Incomplete Ito"
        ).user,
    )
    free = factories.ApplicationFactory(
        program=program, user=factories.StudentProfileFactory(user__name="Free Fujita").user
    )
    student_name = proposal.student_application.user.name
    url = reverse("frontend:coordinator:applications", args=[program.pk])

    shown = _names(coord.get(url, {"show": "incomplete"}).content.decode())
    assert incomplete.user.name in shown and free.user.name not in shown

    shown = _names(coord.get(url, {"show": "unplaced", "role": "student"}).content.decode())
    assert free.user.name in shown and student_name not in shown

    shown = _names(coord.get(url, {"show": "waiting"}).content.decode())
    assert student_name in shown and free.user.name not in shown

    Proposal.objects.filter(pk=proposal.pk).update(
        status=Proposal.Status.ACCEPTED_BY_STUDENT, student_answer=Proposal.Answer.ACCEPTED
    )
    shown = _names(coord.get(url, {"show": "answered"}).content.decode())
    assert student_name in shown and free.user.name not in shown
    shown = _names(coord.get(url, {"show": "waiting", "role": "student"}).content.decode())
    assert student_name not in shown

    # An unknown filter is ignored rather than an error.
    assert coord.get(url, {"show": "nonsense"}).status_code == 200


def test_applications_list_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    def friends() -> None:
        """A confirmed pair, a pending invitation, a student who would rather not go alone."""
        a, b, c, d = (factories.ApplicationFactory(program=program) for _ in range(4))
        invite = group_request_create(program=program, by=a.user, email=b.user.email)
        group_request_confirm(request_id=invite.pk, by=b.user)
        group_request_create(program=program, by=c.user, email=d.user.email)
        Application.objects.filter(pk=factories.ApplicationFactory(program=program).pk).update(
            not_alone=True
        )

    published_round(program)
    friends()
    url = reverse("frontend:coordinator:applications", args=[program.pk])
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    coordinator_round(program, pairs=5, status=Round.Status.DRAFT)
    for _ in range(5):
        factories.ApplicationFactory(program=program)
        factories.HostApplicationFactory(program=program, seats=2)
        friends()
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    html = answer.content.decode()
    assert len(_names(html)) >= 15 + 6 * 5
    assert (html.count('data-group="confirmed"'), html.count('data-group="pending"')) == (12, 12)
    assert html.count("data-not-alone") == 6


def test_applicant_page_shows_private_contact_to_coordinators(
    coord: Client, program: Program
) -> None:
    host_application = factories.HostApplicationFactory(program=program)
    page = coord.get(
        reverse("frontend:coordinator:application", args=[host_application.pk])
    ).content.decode()
    profile = host_application.user.host_profile
    assert profile.address in page and profile.phone in page
    assert host_application.user.email in page


def test_applicant_page_says_why_rounds_left_them_out(coord: Client, program: Program) -> None:
    rnd = coordinator_round(program, pairs=1)
    left_out = Unplaced.objects.get(round=rnd).application
    page = coord.get(reverse("frontend:coordinator:application", args=[left_out.pk]))
    html = page.content.decode()
    assert f"Round {rnd.number}" in html
    # The same list of reasons as the round's review (_reasons.html).
    assert '<ul class="coord-reasons"><li>The profile lacks a field the matcher needs' in html


def test_announcement_form_errors_beside_each_field(coord: Client, program: Program) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:announcement", args=[program.pk]),
        {"subject_ja": "台風", "body_ja": "", "subject_en": "", "body_en": "Stay home."},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="errorlist' in field_block(html, "id_body_ja")
    assert 'class="errorlist' in field_block(html, "id_subject_en")
    assert 'class="errorlist' not in field_block(html, "id_subject_ja")


def test_announcement_reaches_everyone_in_their_language(
    coord: Client,
    program: Program,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    japanese = factories.ApplicationFactory(
        program=program, user=factories.StudentProfileFactory(user__preferred_language="ja").user
    )
    english = factories.HostApplicationFactory(program=program)
    factories.ApplicationFactory(program=program, status=Application.Status.WITHDRAWN)
    page = coord.get(reverse("frontend:coordinator:announcement", args=[program.pk]))
    assert "2 people" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = coord.post(
            reverse("frontend:coordinator:announcement", args=[program.pk]),
            {
                "subject_ja": "台風のため中止",
                "body_ja": "本日の訪問は中止です。",
                "subject_en": "Cancelled: typhoon",
                "body_en": "Today's visits are cancelled.",
            },
        )
    assert answer.status_code == 302
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_recipient) == {japanese.user.email, english.user.email}
    assert "台風のため中止" in by_recipient[japanese.user.email].subject
    assert "本日の訪問は中止です。" in by_recipient[japanese.user.email].body
    assert "Cancelled: typhoon" in by_recipient[english.user.email].subject
    assert program.name in by_recipient[english.user.email].body


def test_a_programme_gets_a_name_and_description_per_language(coord: Client, page_client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "言語交換",
            "kind": "language_exchange",
            "dates": (today + timezone.timedelta(days=40)).isoformat(),
            "apply_until": (today + timezone.timedelta(days=30)).isoformat(),
            "response_hours": "72",
            "description": "教え合います。",
            "name_en": "Language exchange",
            "name_vi": "Trao đổi ngôn ngữ",
            "description_vi": "Dạy nhau ngôn ngữ.",
        },
    )
    assert answer.status_code == 302
    program = Program.objects.get(name="言語交換")
    assert program.translations == {
        "en": {"name": "Language exchange"},
        "vi": {"name": "Trao đổi ngôn ngữ", "description": "Dạy nhau ngôn ngữ."},
    }
    from tests.factories import StudentProfileFactory

    student = StudentProfileFactory().user
    for language, name in (
        ("vi", "Trao đổi ngôn ngữ"),
        ("ko", "Language exchange"),
        ("ja", "言語交換"),
    ):
        page = page_client(student, language=language).get(reverse("frontend:programs"))
        assert name in page.content.decode()
        assert "Language exchange / " not in page.content.decode()
