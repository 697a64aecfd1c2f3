"""The review page's unplaced reasons for groups, "not alone" and fair ties, in ja and en."""

from __future__ import annotations

import pytest
from django.utils import translation

from frontend.views.coordinator.reasons import reason_text

PRIORITY = {
    "code": "priority",
    "params": {
        "rank": 3,
        "of": 8,
        "first_visit": False,
        "unplaced_before": 0,
        "lottery_seed": 4242,
        "lottery_number": 5,
    },
    "text": "solver's English",
}


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["first-time visitors", "lottery", "4242", "number 5 of 8"]),
        ("ja", ["初めて訪問する人", "抽選", "4242", "8 人中 5 番"]),
    ],
)
def test_a_lost_tie_is_explained_with_the_order_and_the_lottery(
    db: None, lang: str, words: list[str]
) -> None:
    with translation.override(lang):
        text = reason_text(PRIORITY, "student", reference={})
    assert all(w in text for w in words), text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_group_and_not_alone_reasons_have_their_own_text(db: None, lang: str) -> None:
    with translation.override(lang):
        group = reason_text({"code": "group", "params": {"partner": 17}}, "student", reference={})
        alone = reason_text({"code": "not_alone", "params": {}}, "student", reference={})
    assert "17" in group and group != "group"
    assert alone and alone != "not_alone"
    if lang == "ja":
        assert "友人" in group and "もう一人" in alone
