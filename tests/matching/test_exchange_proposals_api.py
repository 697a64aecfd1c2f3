"""``GET /api/proposals/`` lists a language-exchange pairing as its own journey: the row of a
home visit, extended with ``kind`` and ``exchange`` (who teaches whom which language with both
levels, the weekly slots both gave, online or in person), seen by the two partners only, in a
number of queries that does not grow with the rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from matching.models import Application, Program, Proposal
from matching.selectors import proposals as selectors
from matching.services.proposals import round_publish
from tests import factories
from tests.matching.conftest import future_days
from tests.matching.test_exchange_service import applicant, new_round, run

pytestmark = pytest.mark.django_db

ENGLISH_SPEAKER = [{"code": "en", "level": "native"}, {"code": "ja", "level": "intermediate"}]
JAPANESE_SPEAKER = [{"code": "ja", "level": "native"}, {"code": "en", "level": "beginner"}]


def _exchange(coordinator: User) -> Program:
    return factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20)
    )


def _paired(coordinator: User, viewer: User, *, fmt: str = "online") -> tuple[Proposal, User]:
    """A published exchange between ``viewer`` (teaches English, learns Japanese; free Monday
    evening and Saturday morning) and a new family (the reverse; Saturday morning and Sunday
    afternoon)."""
    program = _exchange(coordinator)
    factories.ApplicationFactory(
        program=program,
        user=viewer,
        teaches=["en"],
        learns=["ja"],
        format=fmt,
        time_slots=["sat-am", "mon-eve"],
    )
    partner = applicant(
        program,
        teaches=["ja"],
        learns=["en"],
        languages=JAPANESE_SPEAKER,
        fmt=fmt,
        slots=("sun-pm", "sat-am"),
        host=True,
    ).user
    run(rnd := new_round(program))
    round_publish(round_id=rnd.pk, by=coordinator)
    return Proposal.objects.get(round=rnd), partner


def _student() -> User:
    return factories.StudentProfileFactory(languages=ENGLISH_SPEAKER).user


def test_each_partner_sees_the_pairing_both_ways_with_levels_slots_and_format(
    coordinator: User, client_for: Any
) -> None:
    student = _student()
    proposal, family = _paired(coordinator, student)
    (row,) = client_for(student).get("/api/proposals/").json()
    assert row["id"] == proposal.pk
    assert row["kind"] == "language_exchange"
    assert row["counterpart"]["name"] == family.name
    assert row["exchange"] == {
        "they_teach": [
            {"language": "ja", "teacher_level": "native", "learner_level": "intermediate"}
        ],
        "you_teach": [{"language": "en", "teacher_level": "native", "learner_level": "beginner"}],
        "shared_slots": ["sat-am"],
        "format": "online",
    }
    (mirror,) = client_for(family).get("/api/proposals/").json()
    assert mirror["exchange"]["they_teach"] == row["exchange"]["you_teach"]
    assert mirror["exchange"]["you_teach"] == row["exchange"]["they_teach"]
    assert mirror["exchange"]["shared_slots"] == ["sat-am"]
    # The list answers what the detail answers.
    for party, listed in ((student, row), (family, mirror)):
        assert client_for(party).get(f"/api/proposals/{proposal.pk}/").json() == listed


def test_an_in_person_pairing_says_so(coordinator: User, client_for: Any) -> None:
    student = _student()
    _paired(coordinator, student, fmt="in_person")
    (row,) = client_for(student).get("/api/proposals/").json()
    assert row["exchange"]["format"] == "in_person"


def test_a_home_visit_row_has_its_kind_and_no_pairing(coordinator: User, client_for: Any) -> None:
    draft = factories.ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    for party in (draft.student_application.user, draft.host_application.user):
        (row,) = client_for(party).get("/api/proposals/").json()
        assert row["kind"] == "home_visit"
        assert row["exchange"] is None


def test_only_the_two_partners_see_a_pairing(coordinator: User, client_for: Any) -> None:
    student = _student()
    proposal, _family = _paired(coordinator, student)
    # Someone else in the same programme, left without a partner, and a stranger.
    bystander = applicant(
        proposal.program, teaches=["ko"], learns=["vi"], languages=[], slots=("sat-am",)
    ).user
    for outsider in (bystander, _student()):
        client = client_for(outsider)
        assert client.get("/api/proposals/").json() == []
        assert client.get(f"/api/proposals/{proposal.pk}/").status_code == 404
    assert client_for(coordinator).get("/api/proposals/").status_code == 403


def test_the_list_reads_every_pairing_in_four_more_queries_whatever_their_number(
    coordinator: User, django_assert_num_queries: Any
) -> None:
    # The rows, the other sides' profiles, the days' meetings (3, as for home visits); then
    # the pairings: both sides' applications, the students' and the families' languages, the
    # rounds' directions.
    student = _student()
    _paired(coordinator, student)
    with django_assert_num_queries(7):
        (one,) = selectors.party_proposals(user=student)
    assert one.exchange is not None
    with CaptureQueriesContext(connection) as few:
        selectors.party_proposals(user=student)
    for _ in range(3):
        _paired(coordinator, student)
    home_visit = factories.RoundFactory(program=factories.ProgramFactory(created_by=coordinator))
    visit = factories.ProposalFactory(
        round=home_visit,
        student_application=factories.ApplicationFactory(program=home_visit.program, user=student),
    )
    round_publish(round_id=visit.round_id, by=coordinator)
    with CaptureQueriesContext(connection) as many:
        rows = selectors.party_proposals(user=student)
    assert len(rows) == 5
    assert sum(row.exchange is not None for row in rows) == 4
    assert len(many) == len(few)
    assert Application.objects.filter(user=student).count() == 5
