"""Forms say everything at once, and the station search finds a station however it is written:
kanji, hiragana, katakana or romaji, in either language of the page."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, Browsing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_sign_up_shows_every_error_at_once(browsing: Browsing) -> None:
    page = browsing.page(language="en", width=PHONE)
    page.goto("/signup/")
    page.locator("#id_role_0").check()
    page.get_by_label("Your name").fill("Minh")
    page.get_by_label("E-mail address").fill("minh@")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.locator("#id_email_error").is_visible()
    assert "too short" in page.locator("#id_password_error").inner_text()


def test_the_station_step_shows_every_error_at_once(browsing: Browsing, host) -> None:
    page = browsing.page(host, language="en", width=PHONE)
    page.goto("/profile/station/")
    page.get_by_label("Address").fill("")
    page.get_by_label("Phone").fill("abc")
    page.locator("main form.card button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("#id_address_error").is_visible()
    assert page.locator("#id_phone_error").is_visible()


def test_the_station_search_finds_kanji_kana_and_romaji(browsing: Browsing, student) -> None:
    cases = {
        "en": [("きちじょうじ", "kichijoji"), ("吉祥寺", "kichijoji"), ("くにたち", "kunitachi")],
        "ja": [
            ("キチジョウジ", "kichijoji"),
            ("kichijoji", "kichijoji"),
            ("Mitakadai", "mitakadai"),
        ],
    }
    for language, searches in cases.items():
        page = browsing.page(student, language=language, width=PHONE)
        page.goto("/profile/travel/")
        search = page.locator("#id_home_station_search")
        station = page.locator("#id_home_station")
        for query, slug in searches:
            search.fill(query)
            # The list shows the match at once, not the station chosen before the search.
            assert (query, station.input_value()) == (query, slug)
            assert page.locator(f"#id_home_station option[value='{slug}']").is_enabled()
            assert page.locator("#id_home_station_search_found").inner_text()
        search.fill("zzz")
        assert station.input_value() == ""
        # The search says so when nothing matches, instead of an empty list.
        assert page.locator("#id_home_station_search_found").inner_text()
    assert not browsing.problems, "\n".join(browsing.problems)
