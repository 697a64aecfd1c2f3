"""Rounds on the coordinator's pages: the form and its levers, the review (bars, reasons,
metrics, histogram), two rounds compared, publishing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from matching.models import Program, Proposal, Round, Unplaced
from tests import factories
from tests.frontend.conftest import HISTOGRAM, coordinator_round, field_block

pytestmark = pytest.mark.django_db


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
    block = field_block(answer.content.decode(), "id_pins")
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
    block = field_block(answer.content.decode(), "id_forbids")
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
    rnd = coordinator_round(
        program, pairs=1, weights={"language": 45.0}, forbids=[[1, 2]], mode="stable"
    )
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
    rnd = coordinator_round(program, pairs=2)
    page = coord.get(reverse("frontend:coordinator:round", args=[rnd.pk])).content.decode()
    # A bar per criterion: language 30 of 30 points is a full bar, travel 5 of 20 a quarter.
    assert '<rect class="coord-bar__fill" x="0" y="0" width="100"' in page
    assert '<rect class="coord-bar__fill" x="0" y="0" width="25"' in page
    assert '<ul class="coord-reasons"><li>The profile lacks a field the matcher needs' in page
    assert "Blocking pairs" in page and ">3<" in page
    assert page.count('class="coord-histogram__bar"') == len(HISTOGRAM["counts"])
    assert "Publish this round" in page


def test_review_in_japanese_translates_through_gettext(
    page_client: Callable[..., Client], coordinator: User, program: Program
) -> None:
    rnd = coordinator_round(program, pairs=1)
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


def test_exchange_reasons_read_matchings_texts_in_the_readers_language() -> None:
    from frontend.views.coordinator.reasons import reason_text
    from matching.services.exchange import REASON_TEXT

    for code, text in REASON_TEXT.items():
        reason = {"code": code, "params": {}, "text": "stored"}
        with translation.override("ja"):
            assert reason_text(reason) == str(text)
            assert reason_text(reason) != reason["text"]


def test_review_query_count_is_constant(
    coord: Client, program: Program, django_assert_max_num_queries: Any
) -> None:
    small = coordinator_round(program, pairs=1)
    with CaptureQueriesContext(connection) as few:
        coord.get(reverse("frontend:coordinator:round", args=[small.pk]))
    big = coordinator_round(program, pairs=6)
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
    optimal = coordinator_round(program, pairs=2)
    stable = coordinator_round(program, pairs=1, mode=Round.Mode.STABLE)
    page = coord.get(
        reverse("frontend:coordinator:rounds_compare", args=[program.pk]),
        {"a": optimal.pk, "b": stable.pk},
    ).content.decode()
    assert f"Round {optimal.number}" in page and f"Round {stable.number}" in page
    assert "Stable" in page and "Optimal" in page
    assert page.count('<svg class="coord-histogram"') == 2
    assert "(better)" in page


def test_compare_two_exchange_rounds_pairs_people_not_students(
    coord: Client, coordinator: User
) -> None:
    """A language exchange's comparison names each person's partner in each round (both
    partners of a pair are listed), no day, and "No partner" where a round left them out."""
    program = factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, name="Tandem"
    )
    ana, ben, chie = (
        factories.ApplicationFactory(program=program, user=factories.UserFactory(name=name))
        for name in ("Ana", "Ben", "Chie")
    )
    first = factories.RoundFactory(program=program, stats={"matched": 1, "unmatched": 1})
    second = factories.RoundFactory(program=program, stats={"matched": 1, "unmatched": 1})
    factories.ProposalFactory(round=first, student_application=ana, host_application=ben)
    factories.ProposalFactory(round=second, student_application=ana, host_application=chie)
    page = coord.get(
        reverse("frontend:coordinator:rounds_compare", args=[program.pk]),
        {"a": first.pk, "b": second.pk},
    ).content.decode()
    assert "People paired differently" in page
    assert "Students placed differently" not in page and "No visit" not in page
    assert "People without a partner" in page
    differences = page.split('id="differences-caption"')[1].split("</table>")[0]
    texts = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r'<tr role="row">(.*?)</tr>', differences, re.S)[1:]
    ]
    rows = {text.split()[0]: text for text in texts}
    assert set(rows) == {"Ana", "Ben", "Chie"}
    assert "Ben" in rows["Ana"] and "Chie" in rows["Ana"]
    assert "Ana" in rows["Ben"] and "No partner" in rows["Ben"]
    assert "No partner" in rows["Chie"] and "Ana" in rows["Chie"]
    day = program.days[0]
    assert f"{day.day} {day:%b} {day.year}" not in page


def test_compare_refuses_a_round_of_another_programme(
    coord: Client, program: Program, coordinator: User
) -> None:
    mine = coordinator_round(program, pairs=1)
    theirs = coordinator_round(factories.ProgramFactory(created_by=coordinator), pairs=1)
    url = reverse("frontend:coordinator:rounds_compare", args=[program.pk])
    assert coord.get(url, {"a": mine.pk, "b": theirs.pk}).status_code == 404
    assert coord.get(url, {"a": mine.pk, "b": "x"}).status_code == 404


def test_publish_sends_the_proposals_out(coord: Client, program: Program) -> None:
    rnd = coordinator_round(program, pairs=2)
    answer = coord.post(reverse("frontend:coordinator:round_publish", args=[rnd.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontend:coordinator:answers", args=[program.pk])
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.PUBLISHED
    assert set(rnd.proposals.values_list("status", flat=True)) == {Proposal.Status.PROPOSED}


def test_publish_conflict_is_a_409_with_the_reason(coord: Client, program: Program) -> None:
    rnd = coordinator_round(program, pairs=1, status=Round.Status.PUBLISHED)
    answer = coord.post(reverse("frontend:coordinator:round_publish", args=[rnd.pk]))
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "This round could not be published." in html
    assert "Only a draft round can be published" in html
