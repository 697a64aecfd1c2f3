"""Matching reads the coordinator's pages share: one application, one round of a programme,
why rounds left an applicant out."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from accounts.selectors import display_name
from matching.models import Unplaced
from matching.selectors.programs import application_get, live_group
from matching.selectors.rounds import round_of_program, unplaced_of_application
from tests import factories

pytestmark = pytest.mark.django_db


def test_one_application_comes_with_its_programme_profile_and_days(
    django_assert_num_queries: Any,
) -> None:
    application = factories.HostApplicationFactory(seats=2)
    # programme, profile and days; the live requests to visit together, sent and received
    with django_assert_num_queries(4):
        found = application_get(application_id=application.pk)
        assert live_group(found) is None
        assert found.program == application.program
        assert found.user.host_profile.home_station_id == (
            application.user.host_profile.home_station_id
        )
        assert [day.seats for day in found.days.all()] == [2] * len(application.dates)
    with pytest.raises(Http404):
        application_get(application_id=application.pk + 1000)


def test_a_round_is_found_only_in_its_own_programme() -> None:
    rnd = factories.RoundFactory()
    elsewhere = factories.ProgramFactory()
    assert round_of_program(program=rnd.program, round_id=rnd.pk) == rnd
    assert round_of_program(program=elsewhere, round_id=rnd.pk) is None


def test_why_rounds_left_an_applicant_out_newest_first_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    application = factories.HostApplicationFactory()
    rounds = [factories.RoundFactory(program=application.program, number=n) for n in (1, 2, 3)]
    for rnd in rounds:
        Unplaced.objects.create(round=rnd, application=application, reasons=[{"code": "x"}])
    with django_assert_num_queries(1):
        rows = list(unplaced_of_application(application=application))
        assert [row.round.number for row in rows] == [3, 2, 1]
        assert {display_name(row.application.user) for row in rows} == {
            application.user.host_profile.household_name
        }
