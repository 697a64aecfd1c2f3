"""The profile in steps: each step saves through accounts.services.profile_save(partial=True),
errors appear beside their field in the user's language, completeness is shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import HostProfile, StudentProfile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STUDENT_STEPS = ["about", "languages", "food", "home", "travel", "interests"]
HOST_STEPS = ["household", "languages", "home", "station", "interests"]


def _step(name: str) -> str:
    return reverse("frontend:profile_step", kwargs={"step": name})


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_step_renders_for_both_roles(page_client, student, host, language) -> None:
    for user, steps in ((student, STUDENT_STEPS), (host, HOST_STEPS)):
        client = page_client(user, language=language)
        for name in steps:
            response = client.get(_step(name))
            assert response.status_code == 200, name
            assert f'lang="{language}"' in response.content.decode()
        assert client.get(reverse("frontend:profile")).status_code == 200


def test_a_student_cannot_open_a_host_step(page_client, student) -> None:
    assert page_client(student).get(_step("household")).status_code == 404


def test_coordinators_and_visitors_have_no_profile_pages(page_client, coordinator) -> None:
    assert page_client(coordinator).get(reverse("frontend:profile")).status_code == 403
    response = page_client().get(_step("about"))
    assert response.status_code == 302 and "/login/" in response.url


def test_new_student_fills_the_profile_step_by_step(page_client) -> None:
    user = UserFactory(role="student")
    client = page_client(user, language="en")
    overview = client.get(reverse("frontend:profile")).content.decode()
    assert "0 of 6 required answers" in overview
    assert "Start with the first step" in overview
    assert "Done</span>" not in overview  # nothing saved yet: no step is done

    response = client.post(
        _step("about"), {"nationality": "VN", "gender": "female", "birth_year": "2003"}
    )
    assert response.url == _step("languages")
    response = client.post(
        _step("languages"),
        {"lang_0": "vi", "level_0": "native", "lang_1": "ja", "level_1": "beginner"},
    )
    assert response.url == _step("food")
    client.post(_step("food"), {"diet": ["halal"], "allergies": ["cat", "egg"]})
    client.post(_step("travel"), {"home_station": "kichijoji", "max_travel_minutes": "45"})
    response = client.post(_step("interests"), {"interests": ["cooking"], "bio": "Hello"})
    assert response.url == reverse("frontend:profile")

    profile = StudentProfile.objects.get(user=user)
    assert profile.languages == [
        {"code": "vi", "level": "native"},
        {"code": "ja", "level": "beginner"},
    ]
    assert (profile.diet, profile.allergies) == (["halal"], ["cat", "egg"])
    assert profile.home_station_id == "kichijoji"
    assert profile.max_travel_minutes == 45
    overview = client.get(reverse("frontend:profile")).content.decode()
    assert "Your profile is complete." in overview


def test_saving_one_step_keeps_the_others(page_client, student) -> None:
    page_client(student).post(
        _step("travel"), {"home_station": "mitaka", "max_travel_minutes": "30"}
    )
    profile = StudentProfile.objects.get(user=student)
    assert profile.home_station_id == "mitaka"
    assert profile.nationality.code == "VN"  # untouched
    assert profile.languages  # untouched


def test_service_error_is_shown_beside_its_field_in_english_and_japanese(
    page_client, student
) -> None:
    for language, text in (("en", "Must be between 10 and 180."), ("ja", "10 から 180 の間")):
        response = page_client(student, language=language).post(
            _step("travel"), {"home_station": "mitaka", "max_travel_minutes": "500"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        error = html.split('id="id_max_travel_minutes_error"', 1)[1].split("</ul>", 1)[0]
        assert text in error
        assert (
            'aria-describedby="id_max_travel_minutes_helptext id_max_travel_minutes_error"' in html
        )
    assert StudentProfile.objects.get(user=student).home_station_id == "kichijoji"


def test_a_language_without_a_level_is_pointed_out(page_client, student) -> None:
    response = page_client(student, language="en").post(
        _step("languages"), {"lang_0": "vi", "level_0": ""}
    )
    assert 'id="id_level_0_error"' in response.content.decode()


def test_no_language_at_all_is_refused(page_client, student) -> None:
    response = page_client(student, language="en").post(_step("languages"), {})
    assert "Add at least one language" in response.content.decode()


def test_host_phone_error_beside_the_phone(page_client, host) -> None:
    response = page_client(host, language="en").post(
        _step("station"), {"home_station": "mitaka", "address": "x", "phone": "call me"}
    )
    html = response.content.decode()
    assert 'id="id_phone_error"' in html
    assert HostProfile.objects.get(user=host).phone == "0422-00-1234"


def test_host_household_and_pets(page_client, host) -> None:
    client = page_client(host, language="ja")
    client.post(
        _step("household"),
        {"household_name": "田中家", "household_size": "4", "guest_gender_preference": "female"},
    )
    client.post(_step("home"), {"pets": ["cat"], "diets_supported": ["vegan"]})
    profile = HostProfile.objects.get(user=host)
    assert (profile.household_name, profile.household_size) == ("田中家", 4)
    assert profile.guest_gender_preference == "female"
    assert profile.pets == ["cat"] and profile.diets_supported == ["vegan"]
    assert profile.smoking is False


def test_station_picker_groups_by_line_in_the_users_language(page_client, student) -> None:
    html = page_client(student, language="ja").get(_step("travel")).content.decode()
    assert '<optgroup label="JR中央線（快速）">' in html  # noqa: RUF001
    assert ">吉祥寺</option>" in html
    html = page_client(student, language="en").get(_step("travel")).content.decode()
    assert '<optgroup label="JR Chūō Line (Rapid)">' in html
    assert 'data-station-filter="station-filter"' in html
    assert '<template data-texts="station-filter"><span data-text="filter">Search stations' in html


def test_the_station_searchs_words_get_furigana_in_easy_japanese(page_client, student) -> None:
    """profile.js takes them from the page's markup, which the easy_japanese filter rubifies."""
    html = page_client(student, language="ja-easy").get(_step("travel")).content.decode()
    block = html.split('<template data-texts="station-filter">', 1)[1].split("</template>", 1)[0]
    assert '<span data-text="none"><ruby>合<rt>あ</rt></ruby>う駅がありません。</span>' in block
    assert "<ruby>漢字<rt>かんじ</rt></ruby>" in block


def test_unknown_step_is_404(page_client, student) -> None:
    assert page_client(student).get(_step("nope")).status_code == 404


def test_the_models_limits_reach_the_form(page_client, host) -> None:
    response = page_client(host, language="en").post(
        _step("household"),
        {"household_name": "x" * 151, "household_size": "21", "guest_gender_preference": "any"},
    )
    html = response.content.decode()
    assert 'id="id_household_name_error"' in html
    assert "Must be between 1 and 20." in html.split('id="id_household_size_error"', 1)[1]
    assert HostProfile.objects.get(user=host).household_size != 21


def test_a_language_listed_twice_is_refused(page_client, student) -> None:
    before = StudentProfile.objects.get(user=student).languages
    response = page_client(student, language="en").post(
        _step("languages"),
        {"lang_0": "vi", "level_0": "native", "lang_1": "vi", "level_1": "beginner"},
    )
    assert "vi is listed twice." in response.content.decode()
    assert StudentProfile.objects.get(user=student).languages == before


def test_the_travel_help_gives_the_models_range(page_client, student) -> None:
    for language, text in (("en", "Between 10 and 180 minutes."), ("ja", "10〜180分の間")):
        html = page_client(student, language=language).get(_step("travel")).content.decode()
        assert text in html.split('id="id_max_travel_minutes_helptext"', 1)[1][:200]
