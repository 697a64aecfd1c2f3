"""A language-exchange pairing as one partner sees it (matching.selectors.exchange)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from matching.models import Program
from matching.selectors.exchange import Direction, exchange_pairings
from tests import factories

pytestmark = pytest.mark.django_db


def _pair(program: Program) -> Any:
    rnd = factories.RoundFactory(program=program)
    me = factories.ApplicationFactory(
        program=program,
        user=factories.StudentProfileFactory(
            languages=[{"code": "en", "level": "native"}, {"code": "ja", "level": "beginner"}]
        ).user,
        teaches=["en"],
        learns=["ja"],
        time_slots=["mon-eve", "sat-am"],
    )
    partner = factories.ApplicationFactory(
        program=program,
        user=factories.StudentProfileFactory(
            languages=[{"code": "ja", "level": "native"}, {"code": "en", "level": "intermediate"}]
        ).user,
        teaches=["ja"],
        learns=["en"],
        time_slots=["sat-am", "sun-pm"],
    )
    proposal = factories.ProposalFactory(
        round=rnd, student_application=me, host_application=partner
    )
    rnd.stats = {
        "exchange_pairs": {
            str(proposal.pk): {
                "directions": [
                    {"teacher": partner.pk, "learner": me.pk, "language": "ja"},
                    {"teacher": me.pk, "learner": partner.pk, "language": "en"},
                ],
                "meeting": "online",
            }
        }
    }
    rnd.save()
    return proposal


def test_each_partner_sees_both_directions_with_levels_and_shared_times(
    django_assert_num_queries: Any,
) -> None:
    program = factories.ProgramFactory(kind=Program.Kind.LANGUAGE_EXCHANGE)
    proposals = [_pair(program) for _ in range(3)]
    viewer = proposals[0].student_application.user
    with translation.override("en"), django_assert_num_queries(4):
        pairings = exchange_pairings(proposals=proposals[:1], viewer=viewer)
    pairing = pairings[proposals[0].pk]
    assert pairing.they_teach == [Direction("ja", "native", "beginner")]
    assert pairing.you_teach == [Direction("en", "native", "intermediate")]
    assert pairing.shared_slots == ["Saturday Morning"]
    assert pairing.meeting == "online"
    # The partner's view is the mirror; and the count does not grow with the rows.
    partner = proposals[0].host_application.user
    assert exchange_pairings(proposals=proposals[:1], viewer=partner)[
        proposals[0].pk
    ].they_teach == [Direction("en", "native", "intermediate")]
    with django_assert_num_queries(4):
        assert len(exchange_pairings(proposals=proposals, viewer=viewer)) == 3


def test_home_visits_have_no_pairing(django_assert_num_queries: Any) -> None:
    proposal = factories.ProposalFactory()
    with django_assert_num_queries(0):
        assert exchange_pairings(proposals=[proposal], viewer=proposal.host_application.user) == {}
