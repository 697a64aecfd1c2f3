"""Language-exchange programmes go through the same round services: start, run, draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from matching.models import Application, Program, Round
from matching.services.rounds import round_start
from tests import factories
from tests.matching.conftest import future_days

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def exchange(coordinator: User) -> Program:
    return factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20)
    )


def _applicant(program: Program, teaches: str, learns: str, *, host: bool = False) -> Application:
    languages = [{"code": teaches, "level": "native"}, {"code": learns, "level": "beginner"}]
    profile = factories.HostProfileFactory if host else factories.StudentProfileFactory
    return factories.ApplicationFactory(
        program=program,
        user=profile(languages=languages).user,
        teaches=[teaches],
        learns=[learns],
        format="online",
        time_slots=["sat-am"],
    )


def _run(program: Program, by: User, capture: Any, **levers: Any) -> Round:
    with capture(execute=True):
        rnd = round_start(program=program, by=by, **levers)
    rnd.refresh_from_db()
    return rnd


def test_an_exchange_round_pairs_people_who_teach_each_other(
    exchange: Program, coordinator: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    japanese = _applicant(exchange, "ja", "en", host=True)
    english = _applicant(exchange, "en", "ja")
    _applicant(exchange, "vi", "ko")  # nobody teaches Korean
    rnd = _run(exchange, coordinator, django_capture_on_commit_callbacks)
    assert rnd.status == Round.Status.DRAFT, rnd.error
    pairs = set(rnd.proposals.values_list("student_application_id", "host_application_id"))
    assert pairs == {(min(japanese.pk, english.pk), max(japanese.pk, english.pk))}
    assert rnd.unplaced.count() == 1
    assert {"students", "matched", "unmatched"} <= set(rnd.stats)


def test_exchange_weights_use_the_exchange_criteria(exchange: Program, coordinator: User) -> None:
    with pytest.raises(ValidationError) as exc:
        round_start(program=exchange, by=coordinator, weights={"household": 1})
    assert "weights" in exc.value.message_dict


def test_exchange_pins_have_no_sides_but_need_two_people(
    exchange: Program, coordinator: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    first = _applicant(exchange, "en", "ja")
    second = _applicant(exchange, "ja", "en")
    with pytest.raises(ValidationError) as exc:
        round_start(program=exchange, by=coordinator, pins=[[first.pk, first.pk]])
    assert "pins" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        round_start(
            program=exchange,
            by=coordinator,
            pins=[[first.pk, second.pk]],
            forbids=[[second.pk, first.pk]],
        )
    assert "forbidden" in exc.value.message_dict["pins"][0]
    # Two students may be pinned together: a language exchange has no host side.
    rnd = _run(
        exchange, coordinator, django_capture_on_commit_callbacks, pins=[[second.pk, first.pk]]
    )
    assert rnd.status == Round.Status.DRAFT, rnd.error
    assert rnd.proposals.count() == 1
