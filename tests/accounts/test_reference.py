"""GET /api/reference/: open to anyone, labels in the caller's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db

URL = "/api/reference/"


def by_key(rows: list[dict[str, Any]], key: str = "code") -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_anyone_reads_every_list(api: APIClient) -> None:
    answer = api.get(URL)
    assert answer.status_code == 200
    data = answer.json()
    assert set(data) == {
        "languages",
        "stations",
        "diets",
        "allergens",
        "interests",
        "weekdays",
        "day_parts",
        "weekly_slots",
        "vetting_checks",
        "schools",
    }
    assert len(data["languages"]) >= 30
    assert len(data["stations"]) >= 40
    assert len(data["interests"]) >= 25
    assert set(by_key(data["diets"])) == {
        "vegetarian",
        "vegan",
        "halal",
        "kosher",
        "no_pork",
        "no_beef",
        "no_alcohol",
    }
    allergens = by_key(data["allergens"])
    assert allergens["cat"]["kind"] == "pet" and allergens["dog"]["kind"] == "pet"
    assert allergens["buckwheat"]["kind"] == "food"


def test_stations_carry_both_names_and_coordinates(api: APIClient) -> None:
    stations = by_key(api.get(URL, {"lang": "en"}).json()["stations"], "slug")
    kichijoji = stations["kichijoji"]
    assert kichijoji["name_ja"] == "吉祥寺" and kichijoji["name_en"] == "Kichijōji"
    assert kichijoji["name"] == "Kichijōji"
    assert abs(kichijoji["latitude"] - 35.703) < 0.01
    assert abs(kichijoji["longitude"] - 139.58) < 0.01


@pytest.mark.parametrize(
    ("lang", "saturday", "evening", "monday_evening"),
    [("en", "Saturday", "Evening", "Monday Evening"), ("ja", "土曜日", "夜", "月曜日 夜")],
)
def test_weekly_slots_list_the_grid_with_labels(
    api: APIClient, lang: str, saturday: str, evening: str, monday_evening: str
) -> None:
    data = api.get(URL, {"lang": lang}).json()
    assert [d["code"] for d in data["weekdays"]] == [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
    ]
    assert by_key(data["weekdays"])["sat"]["name"] == saturday
    assert [p["code"] for p in data["day_parts"]] == ["am", "pm", "eve"]
    assert by_key(data["day_parts"])["eve"]["name"] == evening
    slots = data["weekly_slots"]
    assert len(slots) == 21 and slots[0]["code"] == "mon-am" and slots[-1]["code"] == "sun-eve"
    assert by_key(slots)["mon-eve"] == {
        "code": "mon-eve",
        "name": monday_evening,
        "weekday": "mon",
        "part": "eve",
    }
    assert all(s["code"] == f"{s['weekday']}-{s['part']}" for s in slots)


@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        ({"lang": "en"}, {}, "Vietnamese"),
        ({"lang": "ja"}, {}, "ベトナム語"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, "Vietnamese"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "ja"}, "ベトナム語"),
        ({}, {}, "ベトナム語"),  # Japanese by default
        ({"lang": "en"}, {"HTTP_ACCEPT_LANGUAGE": "ja"}, "Vietnamese"),  # ?lang= wins
        ({"lang": "xx"}, {"HTTP_ACCEPT_LANGUAGE": "en"}, "Vietnamese"),  # unknown ?lang= ignored
    ],
)
def test_labels_follow_lang_then_accept_language(
    api: APIClient, query: dict[str, str], headers: dict[str, str], expected: str
) -> None:
    languages = by_key(api.get(URL, query, **headers).json()["languages"])
    assert languages["vi"]["name"] == expected


def test_labels_follow_the_accounts_language(
    client_for: Callable[[User | None], APIClient], student: User
) -> None:
    student.preferred_language = "ja"
    student.save()
    client = client_for(student)
    data = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()
    assert by_key(data["allergens"])["egg"]["name"] == "卵"
    student.preferred_language = "en"
    student.save()
    data = client.get(URL, HTTP_ACCEPT_LANGUAGE="ja").json()
    assert by_key(data["allergens"])["egg"]["name"] == "Egg"
    # An explicit ?lang= still wins over the account.
    data = client.get(URL, {"lang": "ja"}).json()
    assert by_key(data["interests"], "slug")["cooking"]["name"] != "Cooking"


def test_reading_the_reference_takes_a_constant_number_of_queries(
    api: APIClient, django_assert_max_num_queries: Any
) -> None:
    # One per table: languages, stations, diets, allergens, interests, checks, schools.
    with django_assert_max_num_queries(7):
        api.get(URL)


def test_reference_choices_label_each_code_in_the_language_asked() -> None:
    from accounts.selectors import reference_choices

    english = dict(reference_choices("diets", language="en"))
    japanese = dict(reference_choices("diets", language="ja"))
    assert set(english) == set(japanese) >= {"halal", "vegan"}
    assert english["halal"] != japanese["halal"]


def test_reference_choices_keep_the_allergens_of_one_kind() -> None:
    from accounts.models import Allergen
    from accounts.selectors import reference_choices

    food = {code for code, _label in reference_choices("allergens", kind=Allergen.Kind.FOOD)}
    every = {code for code, _label in reference_choices("allergens")}
    assert "egg" in food and "cat" not in food and "cat" in every


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "vi-VN,vi;q=0.9"}, "vi"),
        ({"HTTP_ACCEPT_LANGUAGE": "ne"}, "ne"),
        ({"HTTP_ACCEPT_LANGUAGE": "ko-KR"}, "ko"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "zh-hans"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, "en"),  # none of ours: English
        ({"HTTP_ACCEPT_LANGUAGE": "ja-easy"}, "ja-easy"),
    ],
)
def test_the_api_follows_accept_language_in_the_seven(
    api: APIClient, headers: dict[str, str], language: str
) -> None:
    from accounts.languages import reference_name

    answer = api.get(URL, **headers)
    assert answer["Content-Language"] == language
    languages = by_key(answer.json()["languages"])
    assert languages["vi"]["name"] == reference_name("ベトナム語", "Vietnamese", language)


def test_the_api_follows_the_accounts_language_in_the_seven(
    client_for: Callable[[User | None], APIClient], student: User
) -> None:
    student.preferred_language = "ja-easy"
    student.save()
    answer = client_for(student).patch(
        "/api/me/", {"preferred_language": "xx"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 400
    assert answer["Content-Language"] == "ja-easy"
    # DRF's own message: easy Japanese has no catalogue of DRF's, so Japanese, its fallback.
    assert answer.json()["preferred_language"] == ['"xx"は有効な選択肢ではありません。']
