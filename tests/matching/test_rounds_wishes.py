"""The programme's language rule, the student's wishes and ranked days, from the database to
the solver and back: what a round proposes, and why it leaves someone out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from matching.models import Application, Program, Proposal, Round, Unplaced
from tests.matching.conftest import future_days
from tests.matching.test_programs_api import _body

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User | None], APIClient]
VI_ONLY = [{"code": "vi", "level": "native"}]
JA_ONLY = [{"code": "ja", "level": "native"}]


def _codes(rnd: Round, app: Application) -> list[str]:
    return [r["code"] for r in Unplaced.objects.get(round=rnd, application=app).reasons]


def test_no_shared_language_is_never_proposed_under_the_programmes_default(
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
    run_rounds: Callable[..., Round],
) -> None:
    assert (program.language_level, program.allow_easy_japanese) == ("intermediate", True)
    student = make_student(program, languages=VI_ONLY)
    make_host(program, languages=JA_ONLY)
    rnd = run_rounds(program, coordinator)
    assert rnd.status == Round.Status.DRAFT, rnd.error
    assert not Proposal.objects.filter(round=rnd).exists()
    assert _codes(rnd, student) == ["language"]


def test_a_programme_without_the_rule_pairs_them_without_practice_points(
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
    run_rounds: Callable[..., Round],
) -> None:
    Program.objects.filter(pk=program.pk).update(language_level="none")
    program.refresh_from_db()
    make_student(program, languages=VI_ONLY)
    make_host(program, languages=JA_ONLY)
    rnd = run_rounds(program, coordinator)
    (proposal,) = Proposal.objects.filter(round=rnd)
    assert proposal.breakdown["language"] == 0.0


def test_easy_japanese_lets_a_beginner_visit_a_family_that_speaks_slowly(
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
    run_rounds: Callable[..., Round],
) -> None:
    student = make_student(program, languages=[*VI_ONLY, {"code": "ja", "level": "beginner"}])
    make_host(program, languages=JA_ONLY)
    slow = make_host(program, languages=JA_ONLY, easy_japanese=True)
    rnd = run_rounds(program, coordinator)
    assert [(p.student_application_id, p.host_application_id) for p in rnd.proposals.all()] == [
        (student.pk, slow.pk)
    ]


@pytest.mark.parametrize(
    ("wish", "fact", "code"),
    [
        ({"needs_prayer_space": True}, {"prayer_space": True}, "prayer"),
        ({"needs_step_free": True}, {"step_free": True}, "step_free"),
        ({"needs_alcohol_free": True}, {"alcohol_free": True}, "alcohol"),
        ({"avoid_pets": ["dog"]}, {"pets": []}, "pet_wish"),
        ({"household_preference": "women_only"}, {"household_genders": "women_only"}, "household"),
        ({"children_preference": "without_children"}, {"has_children": False}, "children"),
    ],
)
def test_the_students_wishes_reach_the_solver(
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
    run_rounds: Callable[..., Round],
    wish: dict[str, Any],
    fact: dict[str, Any],
    code: str,
) -> None:
    student = make_student(program, **wish)
    lacking = {"pets": ["dog"], "has_children": True}  # the factory's other facts are "no"
    make_host(program, **lacking)
    rnd = run_rounds(program, coordinator)
    assert _codes(rnd, student) == [code]
    fitting = make_host(program, **{**lacking, **fact})
    rnd = run_rounds(program, coordinator)
    assert [p.host_application_id for p in rnd.proposals.filter(student_application=student)] == [
        fitting.pk
    ]


def test_a_students_first_choice_of_day_sets_the_visit(
    program: Program,
    coordinator: User,
    make_student: Callable[..., Application],
    make_host: Callable[..., Application],
    run_rounds: Callable[..., Round],
) -> None:
    student = make_student(program)
    Application.objects.filter(pk=student.pk).update(date_ranking=[program.dates[1]])
    make_host(program)
    rnd = run_rounds(program, coordinator)
    (proposal,) = rnd.proposals.all()
    assert proposal.date == dt.date.fromisoformat(program.dates[1])


class TestApi:
    def test_a_programme_takes_and_shows_its_language_rule(
        self, coordinator_client: APIClient
    ) -> None:
        body = _body(language_level="advanced", allow_easy_japanese=False)
        answer = coordinator_client.post("/api/programs/", body, format="json")
        assert answer.status_code == 201, answer.data
        assert (answer.data["language_level"], answer.data["allow_easy_japanese"]) == (
            "advanced",
            False,
        )
        program = Program.objects.get()
        assert (program.language_level, program.allow_easy_japanese) == ("advanced", False)
        default = coordinator_client.post("/api/programs/", _body(), format="json")
        assert default.data["language_level"] == "intermediate"
        assert default.data["allow_easy_japanese"] is True

    def test_a_bad_language_level_is_named(self, coordinator_client: APIClient) -> None:
        answer = coordinator_client.post(
            "/api/programs/", _body(language_level="fluent"), format="json"
        )
        assert answer.status_code == 400
        assert list(answer.data) == ["language_level"]

    def test_a_student_ranks_the_days(
        self, program: Program, student: User, client_for: ClientFor
    ) -> None:
        ranking = list(reversed(program.dates))
        answer = client_for(student).post(
            f"/api/programs/{program.pk}/apply/",
            {"dates": program.dates, "date_ranking": ranking},
            format="json",
        )
        assert answer.status_code == 201, answer.data
        assert answer.data["date_ranking"] == ranking
        assert Application.objects.get().date_ranking == ranking

    @pytest.mark.parametrize(
        "ranking",
        [
            lambda days: [days[1]],  # a day the student did not choose
            lambda days: [days[0], days[0]],
            lambda days: future_days(90),  # not the programme's
        ],
    )
    def test_a_bad_ranking_is_named_and_nothing_is_stored(
        self, program: Program, student: User, client_for: ClientFor, ranking: Any
    ) -> None:
        answer = client_for(student).post(
            f"/api/programs/{program.pk}/apply/",
            {"dates": program.dates[:1], "date_ranking": ranking(program.dates)},
            format="json",
        )
        assert answer.status_code == 400
        assert "date_ranking" in answer.data
        assert not Application.objects.exists()

    def test_a_family_does_not_rank_days(
        self, program: Program, host: User, client_for: ClientFor
    ) -> None:
        answer = client_for(host).post(
            f"/api/programs/{program.pk}/apply/",
            {"dates": program.dates, "capacity": 1, "date_ranking": program.dates[:1]},
            format="json",
        )
        assert answer.status_code == 400
        assert "date_ranking" in answer.data
