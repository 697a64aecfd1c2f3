"""The coordinator's pages through the Django test client: who may open them, both languages,
forms that show a bad field's error beside it, and list pages whose query count does not grow
with their rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from matching.models import Application, Program, Proposal, Round, Unplaced
from tests import factories

pytestmark = pytest.mark.django_db

HISTOGRAM = {"edges": [0, 20, 40, 60, 80, 100], "counts": [0, 1, 2, 4, 1]}


def _round(program: Program, *, pairs: int = 2, **fields: Any) -> Round:
    """A draft round of ``program`` with ``pairs`` proposals and one unplaced student."""
    fields.setdefault("status", Round.Status.DRAFT)
    fields.setdefault(
        "stats",
        {
            "matched": pairs,
            "unmatched": 1,
            "mean_score": 61.25,
            "min_score": 40.5,
            "total_score": 61.25 * pairs,
            "blocking_pairs": 3,
            "histogram": HISTOGRAM,
            "solve_ms": 12.0,
        },
    )
    rnd = factories.RoundFactory(program=program, created_by=program.created_by, **fields)
    for _ in range(pairs):
        factories.ProposalFactory(
            round=rnd, score=61.25, breakdown={"language": 30.0, "interests": 10.0, "travel": 5.0}
        )
    Unplaced.objects.create(
        round=rnd,
        application=factories.ApplicationFactory(program=program),
        reasons=[{"code": "profile_incomplete", "params": {}, "text": "Profile lacks a field."}],
    )
    return rnd


@pytest.fixture
def program(coordinator: User) -> Program:
    return factories.ProgramFactory(created_by=coordinator)


@pytest.fixture
def coord(page_client: Callable[..., Client], coordinator: User) -> Client:
    return page_client(coordinator, "en")


def _field_block(html: str, field_id: str) -> str:
    """The markup of the field wrapper (frontend/partials/field.html) holding ``field_id``."""
    for chunk in html.split('<div class="field field--')[1:]:
        if f'id="{field_id}"' in chunk or f'for="{field_id}"' in chunk:
            return chunk
    raise AssertionError(f"no field {field_id} in the page")


# --- Who may open the pages --------------------------------------------------------------------


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
    ]


def _published(program: Program) -> tuple[Round, Proposal]:
    rnd = _round(program, status=Round.Status.PUBLISHED)
    proposal = rnd.proposals.first()
    assert proposal is not None
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.PROPOSED)
    proposal.refresh_from_db()
    return rnd, proposal


def test_only_coordinators_open_the_pages(
    page_client: Callable[..., Client],
    coordinator: User,
    student: User,
    host: User,
    program: Program,
) -> None:
    rnd, proposal = _published(program)
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
    rnd, proposal = _published(program)
    client = page_client(student)
    posts = [
        reverse("frontend:coordinator:program_close", args=[program.pk]),
        reverse("frontend:coordinator:round_publish", args=[rnd.pk]),
        reverse("frontend:coordinator:proposal_remind", args=[proposal.pk]),
        reverse("frontend:coordinator:proposal_answer", args=[proposal.pk]),
        reverse("frontend:coordinator:proposal_cancel", args=[proposal.pk]),
        reverse("frontend:coordinator:announcement", args=[program.pk]),
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
    ):
        assert coord.get(url).status_code == 404, url


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_page_renders_in_both_languages(
    page_client: Callable[..., Client], coordinator: User, program: Program, language: str
) -> None:
    rnd, proposal = _published(program)
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


# --- Programmes ------------------------------------------------------------------------------


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
    block = _field_block(html, "id_dates")
    assert "field--invalid" in block
    assert 'class="errorlist' in block
    assert not Program.objects.filter(name="Winter visits").exists()


def test_create_programme_without_a_name_names_the_field(coord: Client) -> None:
    answer = coord.post(reverse("frontend:coordinator:program_create"), {"kind": "home_visit"})
    assert answer.status_code == 400
    assert 'class="errorlist' in _field_block(answer.content.decode(), "id_name")


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


# --- Applications ------------------------------------------------------------------------------


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
    _rnd, proposal = _published(program)
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
    _published(program)
    url = reverse("frontend:coordinator:applications", args=[program.pk])
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    _round(program, pairs=5, status=Round.Status.DRAFT)
    for _ in range(5):
        factories.ApplicationFactory(program=program)
        factories.HostApplicationFactory(program=program, seats=2)
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    assert len(_names(answer.content.decode())) >= 15


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
    rnd = _round(program, pairs=1)
    left_out = Unplaced.objects.get(round=rnd).application
    page = coord.get(reverse("frontend:coordinator:application", args=[left_out.pk]))
    html = page.content.decode()
    assert f"Round {rnd.number}" in html
    assert "The profile lacks a field the matcher needs" in html


# --- Rounds ------------------------------------------------------------------------------------


def test_round_form_shows_defaults_and_a_bad_pin_beside_the_field(
    coord: Client, program: Program
) -> None:
    url = reverse("frontend:coordinator:round_start", args=[program.pk])
    page = coord.get(url).content.decode()
    assert 'name="weight_language"' in page and 'value="30.0"' in page
    assert "Default: 30." in page
    answer = coord.post(
        url, {"mode": "optimal", "weight_language": "30", "pins": "12 and 34", "forbids": ""}
    )
    assert answer.status_code == 400
    block = _field_block(answer.content.decode(), "id_pins")
    assert "Line 1" in block
    assert not Round.objects.filter(program=program).exists()


def test_round_form_shows_the_services_error_beside_the_field(
    coord: Client, program: Program
) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:round_start", args=[program.pk]),
        {"mode": "stable", "pins": "", "forbids": "999998, 999999"},
    )
    assert answer.status_code == 400
    block = _field_block(answer.content.decode(), "id_forbids")
    assert "999998" in block
    assert not Round.objects.filter(program=program).exists()


def test_round_on_a_closed_programme_says_why_above_the_form(
    coord: Client, program: Program
) -> None:
    Program.objects.filter(pk=program.pk).update(status=Program.Status.CLOSED)
    answer = coord.post(
        reverse("frontend:coordinator:round_start", args=[program.pk]), {"mode": "optimal"}
    )
    assert answer.status_code == 400
    assert "This programme is closed." in answer.content.decode()
    assert not Round.objects.filter(program=program).exists()


def test_forbid_and_rerun_prefills_the_form_from_the_round(coord: Client, program: Program) -> None:
    rnd = _round(program, pairs=1, weights={"language": 45.0}, forbids=[[1, 2]], mode="stable")
    proposal = rnd.proposals.get()
    review = coord.get(reverse("frontend:coordinator:round", args=[rnd.pk])).content.decode()
    pair = f"{proposal.student_application_id}-{proposal.host_application_id}"
    link = f"?from={rnd.pk}&amp;forbid={pair}"
    assert link in review
    form = coord.get(
        reverse("frontend:coordinator:round_start", args=[program.pk]),
        {"from": rnd.pk, "forbid": pair},
    ).content.decode()
    assert 'value="45.0"' in form
    assert re.search(r'<input[^>]*value="stable"[^>]*checked', form)
    forbids = form.split('id="id_forbids"')[1].split("</textarea>")[0]
    assert "1, 2" in forbids
    assert f"{proposal.student_application_id}, {proposal.host_application_id}" in forbids


def test_round_form_starts_a_round_with_the_chosen_levers(
    coord: Client, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    student = factories.ApplicationFactory(program=program)
    family = factories.HostApplicationFactory(program=program)
    with django_capture_on_commit_callbacks(execute=False):
        answer = coord.post(
            reverse("frontend:coordinator:round_start", args=[program.pk]),
            {
                "mode": "stable",
                "weight_language": "50",
                "weight_interests": "0",
                "weight_travel": "20",
                "weight_household": "10",
                "weight_fairness_student": "15",
                "weight_fairness_host": "5",
                "pins": "",
                "forbids": f"{student.pk}, {family.pk}",
            },
        )
    rnd = Round.objects.get(program=program)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontend:coordinator:round", args=[rnd.pk])
    assert rnd.mode == Round.Mode.STABLE
    assert rnd.weights["language"] == 50.0 and rnd.weights["interests"] == 0.0
    assert rnd.forbids == [[student.pk, family.pk]]
    page = coord.get(answer["Location"]).content.decode()
    assert "The round is running" in page


def test_a_real_round_runs_and_its_review_explains_it(
    coord: Client, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    """Through the form, the service, the eager task and the solver, to the review page."""
    placed = factories.ApplicationFactory(program=program)
    allergic = factories.ApplicationFactory(
        program=program,
        user=factories.StudentProfileFactory(allergies=["cat"], user__name="Allergic Abe").user,
    )
    cats = factories.HostApplicationFactory(
        program=program, user=factories.HostProfileFactory(pets=["cat"]).user
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = coord.post(
            reverse("frontend:coordinator:round_start", args=[program.pk]),
            {"mode": "optimal", "pins": "", "forbids": f"{allergic.pk}, {cats.pk}"},
        )
    rnd = Round.objects.get(program=program)
    assert rnd.status == Round.Status.DRAFT, rnd.error
    page = coord.get(answer["Location"]).content.decode()
    assert page.count('<rect class="coord-histogram__bar"') == 10
    assert placed.user.name in page
    assert "Allergic Abe" in page
    unplaced = Unplaced.objects.get(round=rnd, application=allergic)
    assert unplaced.reasons and unplaced.reasons[0]["code"] == "pet"
    assert "which the student is allergic to" in page
    assert "Blocking pairs" in page


def test_review_shows_breakdown_bars_reasons_metrics_and_histogram(
    coord: Client, program: Program
) -> None:
    rnd = _round(program, pairs=2)
    page = coord.get(reverse("frontend:coordinator:round", args=[rnd.pk])).content.decode()
    # A bar per criterion: language 30 of 30 points is a full bar, travel 5 of 20 a quarter.
    assert '<rect class="coord-bar__fill" x="0" y="0" width="100"' in page
    assert '<rect class="coord-bar__fill" x="0" y="0" width="25"' in page
    assert "The profile lacks a field the matcher needs" in page
    assert "Blocking pairs" in page and ">3<" in page
    assert page.count('class="coord-histogram__bar"') == len(HISTOGRAM["counts"])
    assert "Publish this round" in page


def test_review_in_japanese_translates_through_gettext(
    page_client: Callable[..., Client], coordinator: User, program: Program
) -> None:
    rnd = _round(program, pairs=1)
    page = page_client(coordinator, "ja").get(reverse("frontend:coordinator:round", args=[rnd.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="ja">' in html
    # The page's own words and the solver's reason code, both through gettext.
    assert "このラウンドを公開する" in html
    assert "マッチングに必要な項目" in html
    from django.utils import translation

    from frontend.views.coordinator.reasons import reason_text

    with translation.override("ja"):
        full = reason_text({"code": "full", "params": {"families": 3}, "text": "x"}, "student")
    assert "3" in full and "families" not in full


@pytest.mark.parametrize(
    ("reason", "role", "expected"),
    [
        (
            {"code": "full", "params": {"families": 3}},
            "student",
            "The 3 families that fit are full.",
        ),
        (
            {"code": "full", "params": {"families": 1}},
            "student",
            "The one family that fits is full.",
        ),
        (
            {"code": "taken", "params": {"students": 2}},
            "host",
            "The 2 students who fit were placed with other families.",
        ),
        (
            {"code": "travel", "params": {"minutes": 45, "nearest_minutes": 61}},
            "student",
            "No family within 45 minutes of travel (the nearest is about 61 minutes away).",
        ),
        (
            {"code": "diet", "params": {"diets": ["halal", "vegan"], "all_together": True}},
            "student",
            "No family caters for Halal, Vegan together.",
        ),
        (
            {"code": "forbidden", "params": {"reasons": ["declined", "met_before"]}},
            "student",
            "The families that fit are excluded: declined in an earlier round, met before.",
        ),
        (
            {"code": "combination", "params": {"rules": ["pet", "travel"], "remaining": {}}},
            "host",
            "Each rule alone leaves some students, but none meets all of: pets, travel time.",
        ),
    ],
)
def test_reasons_render_from_code_and_params(
    reason: dict[str, Any], role: str, expected: str
) -> None:
    from django.utils import translation

    from frontend.views.coordinator.reasons import reason_text

    with translation.override("en"):
        assert reason_text({**reason, "text": "solver text"}, role) == expected


def test_unknown_reason_code_falls_back_to_the_solvers_text() -> None:
    from frontend.views.coordinator.reasons import reason_text

    assert reason_text({"code": "brand_new", "params": {}, "text": "Something new."}) == (
        "Something new."
    )
    assert "no_language_match" not in reason_text(
        {"code": "no_language_match", "params": {}, "text": "x"}
    )


def test_review_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    small = _round(program, pairs=1)
    with CaptureQueriesContext(connection) as few:
        coord.get(reverse("frontend:coordinator:round", args=[small.pk]))
    big = _round(program, pairs=6)
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(reverse("frontend:coordinator:round", args=[big.pk]))
    assert answer.content.decode().count('class="coord-bar__fill"') >= 6 * 6


def test_running_round_loads_the_progress_module(coord: Client, program: Program) -> None:
    rnd = factories.RoundFactory(
        program=program, created_by=program.created_by, status=Round.Status.RUNNING
    )
    page = coord.get(reverse("frontend:coordinator:round", args=[rnd.pk])).content.decode()
    assert "frontend/coordinator/round_progress.js" in page
    assert f'data-api-url="/api/rounds/{rnd.pk}/"' in page
    assert '<progress id="round-progress"' in page
    assert 'id="round-status-labels" type="application/json"' in page


def test_compare_two_rounds_side_by_side(coord: Client, program: Program) -> None:
    optimal = _round(program, pairs=2)
    stable = _round(program, pairs=1, mode=Round.Mode.STABLE)
    page = coord.get(
        reverse("frontend:coordinator:rounds_compare", args=[program.pk]),
        {"a": optimal.pk, "b": stable.pk},
    ).content.decode()
    assert f"Round {optimal.number}" in page and f"Round {stable.number}" in page
    assert "Stable" in page and "Optimal" in page
    assert page.count('<svg class="coord-histogram"') == 2
    assert "(better)" in page


def test_compare_refuses_a_round_of_another_programme(
    coord: Client, program: Program, coordinator: User
) -> None:
    mine = _round(program, pairs=1)
    theirs = _round(factories.ProgramFactory(created_by=coordinator), pairs=1)
    url = reverse("frontend:coordinator:rounds_compare", args=[program.pk])
    assert coord.get(url, {"a": mine.pk, "b": theirs.pk}).status_code == 404
    assert coord.get(url, {"a": mine.pk, "b": "x"}).status_code == 404


def test_publish_sends_the_proposals_out(coord: Client, program: Program) -> None:
    rnd = _round(program, pairs=2)
    answer = coord.post(reverse("frontend:coordinator:round_publish", args=[rnd.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontend:coordinator:answers", args=[program.pk])
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.PUBLISHED
    assert set(rnd.proposals.values_list("status", flat=True)) == {Proposal.Status.PROPOSED}


def test_publish_conflict_is_a_409_with_the_reason(coord: Client, program: Program) -> None:
    rnd = _round(program, pairs=1, status=Round.Status.PUBLISHED)
    answer = coord.post(reverse("frontend:coordinator:round_publish", args=[rnd.pk]))
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "This round could not be published." in html
    assert "Only a draft round can be published" in html


# --- Answers -----------------------------------------------------------------------------------


def test_answers_list_who_has_not_answered(coord: Client, program: Program) -> None:
    _rnd, proposal = _published(program)
    page = coord.get(reverse("frontend:coordinator:answers", args=[program.pk])).content.decode()
    assert proposal.student_application.user.name in page
    assert "Remind" in page and "Answer for them" in page


def test_answers_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    _published(program)
    url = reverse("frontend:coordinator:answers", args=[program.pk])
    with CaptureQueriesContext(connection) as few:
        coord.get(url, {"show": "all"})
    for _ in range(2):
        _published(program)
    with django_assert_max_num_queries(len(few)):
        coord.get(url, {"show": "all"})


def test_remind_sends_a_reminder(coord: Client, program: Program) -> None:
    from matching.models import Delivery

    _rnd, proposal = _published(program)
    answer = coord.post(
        reverse("frontend:coordinator:proposal_remind", args=[proposal.pk]),
        {"next": "https://evil.example/"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontend:coordinator:proposal", args=[proposal.pk])
    assert Delivery.objects.filter(proposal=proposal, kind=Delivery.Kind.REMINDER).count() == 2


def test_answer_on_behalf_needs_a_reason_beside_the_field(coord: Client, program: Program) -> None:
    _rnd, proposal = _published(program)
    url = reverse("frontend:coordinator:proposal_answer", args=[proposal.pk])
    answer = coord.post(url, {"side": "host", "answer": "accept", "reason": ""})
    assert answer.status_code == 400
    assert 'class="errorlist' in _field_block(answer.content.decode(), "id_reason")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PROPOSED


def test_answer_on_behalf_is_recorded_in_the_audit_trail(
    coord: Client, program: Program, coordinator: User
) -> None:
    _rnd, proposal = _published(program)
    url = reverse("frontend:coordinator:proposal_answer", args=[proposal.pk])
    answer = coord.post(url, {"side": "host", "answer": "accept", "reason": "Phoned on Monday"})
    assert answer.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED_BY_HOST
    page = coord.get(answer["Location"]).content.decode()
    assert "Phoned on Monday" in page
    assert f"by {coordinator.name}" in page
    assert f"for {proposal.host_application.user.name}" in page
    # The same side cannot answer twice: a clear 409, not a 500.
    again = coord.post(url, {"side": "host", "answer": "decline", "reason": "Called again"})
    assert again.status_code == 409
    assert "already answered" in again.content.decode()


def test_cancel_needs_a_reason(coord: Client, program: Program) -> None:
    _rnd, proposal = _published(program)
    url = reverse("frontend:coordinator:proposal_cancel", args=[proposal.pk])
    answer = coord.post(url, {"reason": ""})
    assert answer.status_code == 400
    answer = coord.post(url, {"reason": "Typhoon warning"})
    assert answer.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.CANCELLED


# --- CSV export ----------------------------------------------------------------------------------


def test_csv_export_of_confirmed_visits(coord: Client, program: Program) -> None:
    _rnd, proposal = _published(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    _other_round, waiting = _published(program)
    profile = proposal.host_application.user.host_profile
    profile.phone = "+81-422-00-0000"
    profile.household_name = "=HYPERLINK(1)"
    profile.save()
    answer = coord.get(reverse("frontend:coordinator:visits_csv", args=[program.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    body = answer.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert proposal.student_application.user.name in lines[1]
    assert profile.address in lines[1]
    assert "'=HYPERLINK(1)" in lines[1] and "'+81-422-00-0000" in lines[1]
    assert waiting.student_application.user.name not in text


def test_csv_export_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    url = reverse("frontend:coordinator:visits_csv", args=[program.pk])
    _rnd, proposal = _published(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    for _ in range(3):
        _rnd, proposal = _published(program)
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    assert len(answer.content.decode("utf-8-sig").strip().splitlines()) == 5


def test_csv_headers_follow_the_coordinators_language(
    page_client: Callable[..., Client], coordinator: User, program: Program
) -> None:
    answer = page_client(coordinator, "en").get(
        reverse("frontend:coordinator:visits_csv", args=[program.pk])
    )
    assert answer.content.decode("utf-8-sig").startswith("Date,Student,")


# --- Reports -----------------------------------------------------------------------------------


@pytest.fixture
def report(program: Program) -> Any:
    from chat import services as chat_services
    from chat.models import Report

    _rnd, proposal = _published(program)
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
    proposal.refresh_from_db()
    conversation = chat_services.conversation_open(proposal=proposal)
    student = proposal.student_application.user
    family = proposal.host_application.user
    for n in range(3):
        chat_services.message_post(
            conversation_id=conversation.pk, sender=student, body=f"hello {n}"
        )
    rude, _created = chat_services.message_post(
        conversation_id=conversation.pk, sender=family, body="a rude message"
    )
    chat_services.report_create(message_id=rude.pk, reporter=student, reason="Rude")
    return Report.objects.get()


def test_reports_queue_shows_the_message_in_context(coord: Client, report: Any) -> None:
    page = coord.get(reverse("frontend:coordinator:reports")).content.decode()
    assert "a rude message" in page and "hello 0" in page and "Rude" in page
    assert "coord-thread__message--reported" in page
    assert "Resolve the report" in page and "Close the conversation" in page


def test_reports_queue_query_count_is_constant(
    coord: Client, report: Any, program: Program, django_assert_max_num_queries: Any
) -> None:
    from chat import services as chat_services

    url = reverse("frontend:coordinator:reports")
    with CaptureQueriesContext(connection) as few:
        coord.get(url)
    for _ in range(3):
        _rnd, proposal = _published(program)
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.CONFIRMED)
        proposal.refresh_from_db()
        conversation = chat_services.conversation_open(proposal=proposal)
        message, _created = chat_services.message_post(
            conversation_id=conversation.pk, sender=proposal.host_application.user, body="rude"
        )
        chat_services.report_create(
            message_id=message.pk, reporter=proposal.student_application.user, reason="Rude"
        )
    with django_assert_max_num_queries(len(few)):
        answer = coord.get(url)
    assert answer.content.decode().count("coord-thread__message--reported") == 4


def test_resolve_a_report(coord: Client, report: Any) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:report_resolve", args=[report.pk]),
        {f"r{report.pk}-resolution": "Talked to both."},
    )
    assert answer.status_code == 302
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolution == "Talked to both."
    resolved = coord.get(reverse("frontend:coordinator:reports"), {"status": "resolved"})
    assert "Talked to both." in resolved.content.decode()


def test_close_a_conversation_needs_a_reason(coord: Client, report: Any) -> None:
    url = reverse("frontend:coordinator:conversation_close", args=[report.conversation_id])
    answer = coord.post(url, {"report": report.pk, f"c{report.pk}-reason": ""})
    assert answer.status_code == 400
    assert 'class="errorlist' in _field_block(answer.content.decode(), f"id_c{report.pk}-reason")
    answer = coord.post(url, {"report": report.pk, f"c{report.pk}-reason": "Abusive language"})
    assert answer.status_code == 302
    report.conversation.refresh_from_db()
    assert report.conversation.status == "closed"


# --- Announcements -----------------------------------------------------------------------------


def test_announcement_form_errors_beside_each_field(coord: Client, program: Program) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:announcement", args=[program.pk]),
        {"subject_ja": "台風", "body_ja": "", "subject_en": "", "body_en": "Stay home."},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="errorlist' in _field_block(html, "id_body_ja")
    assert 'class="errorlist' in _field_block(html, "id_subject_en")
    assert 'class="errorlist' not in _field_block(html, "id_subject_ja")


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
