"""PUT and PATCH /api/me/profile/ for students and host families."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import HostProfile, StudentProfile, User
from tests.accounts.conftest import host_body, stored_profile, student_body

pytestmark = pytest.mark.django_db

URL = "/api/me/profile/"
THIS_YEAR = timezone.localdate().year
Client = Callable[[User | None], APIClient]


def test_student_puts_every_field_and_gets_the_stored_profile(
    client_for: Client, fresh_student: User
) -> None:
    answer = client_for(fresh_student).put(URL, student_body())
    assert answer.status_code == 200, answer.content
    expected = student_body()
    expected["nationality"] = "VN"
    expected["diet"] = sorted(expected["diet"])
    expected["allergies"] = sorted(expected["allergies"])
    expected["interests"] = sorted(expected["interests"])
    expected["avoid_pets"] = sorted(expected["avoid_pets"])
    assert answer.json() == {**expected, "is_complete": True, "missing": []}
    profile = StudentProfile.objects.get(user=fresh_student)
    assert profile.nationality.code == "VN"
    assert profile.home_station_id == "kichijoji"
    assert profile.max_travel_minutes == 45
    # The account's answer carries the same profile.
    assert client_for(fresh_student).get("/api/me/").json()["profile"] == answer.json()


def test_host_puts_every_field_and_gets_the_stored_profile(
    client_for: Client, fresh_host: User
) -> None:
    answer = client_for(fresh_host).put(URL, host_body())
    assert answer.status_code == 200, answer.content
    expected = host_body()
    for field in ("pets", "diets_supported", "allergens_avoidable", "interests"):
        expected[field] = sorted(expected[field])
    assert answer.json() == {**expected, "is_complete": True, "missing": []}
    profile = HostProfile.objects.get(user=fresh_host)
    assert profile.household_name == "佐藤家 / the Sato family"
    assert profile.phone == "+81 422-00-1234"


def test_patch_fills_a_profile_step_by_step(client_for: Client, fresh_student: User) -> None:
    client = client_for(fresh_student)
    first = client.patch(URL, {"nationality": "NP", "gender": "male"})
    assert first.status_code == 200, first.content
    assert first.json()["is_complete"] is False
    assert first.json()["missing"] == [
        "birth_year",
        "languages",
        "home_station",
        "max_travel_minutes",
    ]
    second = client.patch(
        URL,
        {
            "birth_year": 1999,
            "languages": [{"code": "ne", "level": "native"}],
            "home_station": "mitaka",
            "max_travel_minutes": 30,
        },
    )
    assert second.json()["is_complete"] is True
    assert second.json()["nationality"] == "NP"  # earlier PATCH kept


def test_host_completeness_names_what_is_missing(client_for: Client, fresh_host: User) -> None:
    answer = client_for(fresh_host).patch(URL, {"household_name": "鈴木家 / the Suzuki family"})
    assert answer.json()["missing"] == [
        "household_size",
        "languages",
        "home_station",
        "address",
        "phone",
    ]


def test_put_resets_the_fields_it_omits(client_for: Client, fresh_student: User) -> None:
    client = client_for(fresh_student)
    client.put(URL, student_body())
    answer = client.put(URL, {"nationality": "FR", "bio": "Bonjour"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["nationality"] == "FR"
    assert data["bio"] == "Bonjour"
    assert data["languages"] == [] and data["diet"] == [] and data["allergies"] == []
    assert data["home_station"] is None and data["max_travel_minutes"] is None
    assert data["birth_year"] is None and data["gender"] == "" and data["school"] == ""
    assert data["needs_non_smoking"] is False
    assert data["is_complete"] is False


def test_host_put_resets_the_fields_it_omits(client_for: Client, fresh_host: User) -> None:
    client = client_for(fresh_host)
    client.put(URL, host_body())
    data = client.put(URL, {"household_name": "佐藤家"}).json()
    assert data["pets"] == [] and data["address"] == "" and data["phone"] == ""
    assert data["has_children"] is False and data["guest_gender_preference"] == "any"


def test_patch_keeps_the_fields_it_omits(client_for: Client, fresh_host: User) -> None:
    client = client_for(fresh_host)
    client.put(URL, host_body())
    data = client.patch(URL, {"smoking": True}).json()
    assert data["smoking"] is True
    assert data["address"] == host_body()["address"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_coordinator_has_no_profile_to_save(
    client_for: Client, coordinator: User, method: str
) -> None:
    answer = getattr(client_for(coordinator), method)(URL, student_body())
    assert answer.status_code == 403
    assert not StudentProfile.objects.exists()


def test_anonymous_is_refused(api: APIClient) -> None:
    assert api.put(URL, student_body()).status_code == 401


STUDENT_BAD: list[tuple[str, Any]] = [
    ("languages", [{"code": "xx", "level": "native"}]),
    ("languages", [{"code": "vi", "level": "fluent"}]),
    ("languages", [{"code": "vi"}]),
    ("languages", [{"code": "vi", "level": "native"}, {"code": "vi", "level": "beginner"}]),
    ("languages", "vi"),
    ("languages", [{"code": "vi", "level": "native", "years": 3}]),
    ("nationality", "XX"),
    ("nationality", "Vietnam"),
    ("nationality", 84),
    ("gender", "other"),
    ("birth_year", 1800),
    ("birth_year", THIS_YEAR),
    ("birth_year", THIS_YEAR + 5),
    ("birth_year", "nineteen"),
    ("diet", ["paleo"]),
    ("diet", "vegan"),
    ("allergies", ["pollen"]),
    ("allergies", [1, 2]),
    ("needs_non_smoking", "perhaps"),
    ("interests", ["base-jumping-on-mars"]),
    ("home_station", "atlantis"),
    ("home_station", None),
    ("max_travel_minutes", 5),
    ("max_travel_minutes", 500),
    ("max_travel_minutes", -1),
    ("max_travel_minutes", "long"),
    ("bio", "x" * 2001),
    ("school", "x" * 201),
    ("favourite_colour", "blue"),
    ("pets", ["cat"]),  # a host's field
    ("avoid_pets", ["unicorn"]),
    ("avoid_pets", "dog"),
    ("household_preference", "quiet"),
    ("children_preference", "some"),
    ("needs_step_free", "perhaps"),
    ("needs_alcohol_free", "perhaps"),
    ("needs_prayer_space", "perhaps"),
    ("step_free", True),  # a host's field
]


@pytest.mark.parametrize(("field", "value"), STUDENT_BAD, ids=[f for f, _ in STUDENT_BAD])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bad_student_field_is_named_and_nothing_is_stored(
    client_for: Client, student: User, method: str, field: str, value: Any
) -> None:
    before = stored_profile(student)
    data = student_body()
    data[field] = value
    answer = getattr(client_for(student), method)(URL, data)
    assert answer.status_code == 400, (field, value, answer.content)
    assert field in answer.json(), answer.json()
    assert stored_profile(student) == before


@pytest.mark.parametrize(("field", "value"), STUDENT_BAD[:3], ids=["code", "level", "shape"])
def test_a_bad_first_profile_creates_no_row(
    client_for: Client, fresh_student: User, field: str, value: Any
) -> None:
    data = student_body()
    data[field] = value
    assert client_for(fresh_student).put(URL, data).status_code == 400
    assert not StudentProfile.objects.filter(user=fresh_student).exists()


HOST_BAD: list[tuple[str, Any]] = [
    ("household_size", 0),
    ("household_size", -1),
    ("household_size", 21),
    ("household_size", "four"),
    ("household_name", ""),
    ("household_name", "x" * 151),
    ("has_children", "sometimes"),
    ("pets", ["hamster"]),
    ("pets", "dog"),
    ("smoking", "maybe"),
    ("diets_supported", ["paleo"]),
    ("allergens_avoidable", ["cat"]),  # a pet is not kept out of the food
    ("allergens_avoidable", ["pollen"]),
    ("interests", ["nope"]),
    ("languages", [{"code": "klingon", "level": "native"}]),
    ("home_station", "hogwarts"),
    ("guest_gender_preference", "nonbinary"),
    ("address", "x" * 301),
    ("phone", "call me"),
    ("phone", "123"),
    ("phone", "0422-00-1234 ext. 5"),
    ("phone", "1" * 31),
    ("bio", "x" * 2001),
    ("nationality", "JP"),  # a student's field
    ("diet", ["vegan"]),  # a student's field
    ("household_genders", "everyone"),
    ("easy_japanese", "a little"),
    ("step_free", "mostly"),
    ("alcohol_free", "mostly"),
    ("prayer_space", "mostly"),
    ("needs_step_free", True),  # a student's field
]


@pytest.mark.parametrize(("field", "value"), HOST_BAD, ids=[f for f, _ in HOST_BAD])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bad_host_field_is_named_and_nothing_is_stored(
    client_for: Client, host: User, method: str, field: str, value: Any
) -> None:
    before = stored_profile(host)
    data = host_body()
    data[field] = value
    answer = getattr(client_for(host), method)(URL, data)
    assert answer.status_code == 400, (field, value, answer.content)
    assert field in answer.json(), answer.json()
    assert stored_profile(host) == before


def test_every_bad_field_is_named_at_once(client_for: Client, student: User) -> None:
    before = stored_profile(student)
    answer = client_for(student).patch(
        URL,
        {
            "nationality": "XX",
            "home_station": "atlantis",
            "max_travel_minutes": 999,
            "diet": ["paleo"],
            "bio": "still valid",
        },
    )
    assert answer.status_code == 400
    assert {"nationality", "home_station", "max_travel_minutes", "diet"} <= set(answer.json())
    assert "bio" not in answer.json()
    assert stored_profile(student) == before


def test_a_body_that_is_not_an_object_is_refused(client_for: Client, student: User) -> None:
    answer = client_for(student).put(URL, [1, 2, 3])
    assert answer.status_code == 400
    assert "detail" in answer.json()


@pytest.mark.parametrize("phone", ["0422-00-1234", "+81 (0)422 00 1234", "09012345678", ""])
def test_plausible_phones_are_accepted(client_for: Client, host: User, phone: str) -> None:
    answer = client_for(host).patch(URL, {"phone": phone})
    assert answer.status_code == 200, answer.content
    assert answer.json()["phone"] == phone


@pytest.mark.parametrize("minutes", [10, 180])
def test_travel_limits_at_the_edges_are_accepted(
    client_for: Client, student: User, minutes: int
) -> None:
    assert client_for(student).patch(URL, {"max_travel_minutes": minutes}).status_code == 200


def test_lists_are_stored_without_duplicates(client_for: Client, student: User) -> None:
    data = client_for(student).patch(URL, {"interests": ["music", "cooking", "music"]}).json()
    assert data["interests"] == ["cooking", "music"]


def test_after_a_put_the_same_user_object_reads_the_stored_profile(fresh_student: User) -> None:
    from accounts.selectors import profile_is_complete, profile_of
    from accounts.services import profile_save

    profile_save(user=fresh_student, data=student_body(), partial=False)
    assert profile_is_complete(fresh_student)
    assert profile_of(fresh_student).home_station_id == "kichijoji"
    profile_save(user=fresh_student, data={"bio": "only a bio"}, partial=False)
    assert not profile_is_complete(fresh_student)
