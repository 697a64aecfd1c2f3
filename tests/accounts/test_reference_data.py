"""Checks on the bilingual reference data (pure Python: no database needed)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from accounts import reference_data as rd

JAPANESE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE = re.compile(r"^[a-z]+(?:_[a-z]+)*$")

# Field sizes of the models the data migration loads these into.
NAME_MAX = 100
CODE_MAX = 20
SLUG_MAX = 50
LINES_MAX = 200

CODED_TABLES: dict[str, Sequence[Any]] = {
    "LANGUAGES": rd.LANGUAGES,
    "STATIONS": rd.STATIONS,
    "DIETS": rd.DIETS,
    "ALLERGENS": rd.ALLERGENS,
    "PETS": rd.PETS,
    "INTERESTS": rd.INTERESTS,
    "LEVELS": rd.LEVELS,
    "GENDERS": rd.GENDERS,
    "GUEST_GENDER_PREFERENCES": rd.GUEST_GENDER_PREFERENCES,
    "WEEKDAYS": rd.WEEKDAYS,
    "DAY_PARTS": rd.DAY_PARTS,
    "WEEKLY_SLOTS": rd.WEEKLY_SLOTS,
}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(h))


def keys(rows: Iterable[tuple[object, ...]]) -> list[str]:
    return [str(row[0]) for row in rows]


# --- counts ---------------------------------------------------------------------------


def test_minimum_counts() -> None:
    assert len(rd.LANGUAGES) >= 35
    assert len(rd.STATIONS) >= 45
    assert len(rd.INTERESTS) >= 30


# --- keys -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CODED_TABLES))
def test_keys_unique(name: str) -> None:
    found = keys(CODED_TABLES[name])
    duplicates = {k for k in found if found.count(k) > 1}
    assert not duplicates, f"{name}: duplicate keys {duplicates}"


def test_language_codes_are_iso_639_1() -> None:
    for lang in rd.LANGUAGES:
        assert re.fullmatch(r"[a-z]{2}", lang.code), lang


def test_required_languages_present() -> None:
    required = {
        "ja", "en", "zh", "ko", "vi", "tl", "pt", "ne", "id", "th", "my", "es", "hi", "si",
        "bn", "ur", "fr", "de", "ru", "uk", "mn", "km", "lo", "ms", "fa", "ar", "tr", "it",
        "uz", "ta", "pa", "te",
    }  # fmt: skip
    assert required <= set(keys(rd.LANGUAGES))


def test_language_examples() -> None:
    by_code = {lang.code: lang for lang in rd.LANGUAGES}
    assert by_code["vi"] == ("vi", "ベトナム語", "Vietnamese")
    assert by_code["ja"].name_ja == "日本語"
    assert by_code["my"].name_en == "Burmese"


def test_required_stations_present() -> None:
    required = {
        "kichijoji", "mitaka", "musashi-sakai", "higashi-koganei", "musashi-koganei",
        "kokubunji", "nishi-kokubunji", "kunitachi", "tachikawa", "nishi-ogikubo", "ogikubo",
        "asagaya", "koenji", "nakano", "shinjuku", "inokashira-koen", "mitakadai", "kugayama",
        "fujimigaoka", "takaido", "meidaimae", "shimokitazawa", "shibuya", "tanashi",
        "higashi-fushimi", "hibarigaoka", "hoya", "higashi-kurume", "musashi-seki",
        "kami-shakujii", "nerima", "chofu", "tsutsujigaoka", "sengawa", "kokuryo", "fuchu",
        "shin-koganei", "tama", "hana-koganei", "kodaira",
    }  # fmt: skip
    assert required <= set(keys(rd.STATIONS))


def test_diets_exact() -> None:
    assert set(keys(rd.DIETS)) == {
        "vegetarian",
        "vegan",
        "halal",
        "kosher",
        "no_pork",
        "no_beef",
        "no_alcohol",
    }


def test_allergens_exact_with_kinds() -> None:
    kinds = {a.code: a.kind for a in rd.ALLERGENS}
    food = {
        "egg", "milk", "wheat", "buckwheat", "peanut", "shrimp", "crab", "walnut",
        "soy", "fish", "sesame",
    }  # fmt: skip
    assert set(kinds) == food | {"cat", "dog", "bird", "rabbit", "small_animal"}
    assert {c for c, k in kinds.items() if k == "food"} == food
    assert {c for c, k in kinds.items() if k == "pet"} == {
        "cat",
        "dog",
        "bird",
        "rabbit",
        "small_animal",
    }


def test_mandatory_allergen_labels() -> None:
    labels = {a.code: a.name_ja for a in rd.ALLERGENS}
    assert labels["egg"] == "卵"
    assert labels["milk"] == "乳"
    assert labels["wheat"] == "小麦"
    assert labels["buckwheat"] == "そば"
    assert labels["peanut"] == "落花生"
    assert labels["shrimp"] == "えび"
    assert labels["crab"] == "かに"
    assert labels["walnut"] == "くるみ"


def test_pets_exact() -> None:
    assert set(keys(rd.PETS)) == {"cat", "dog", "bird", "rabbit", "small_animal", "other"}


def test_a_pet_allergen_names_a_pet() -> None:
    # The solver's pet rule: an allergy to a pet allergen excludes a family keeping that pet.
    pet_allergens = {a.code for a in rd.ALLERGENS if a.kind == "pet"}
    assert pet_allergens == {"cat", "dog", "bird", "rabbit", "small_animal"}
    assert pet_allergens <= set(keys(rd.PETS))


def test_the_pet_choices_are_the_reference_pets_in_each_language() -> None:
    from django.utils import translation

    from accounts.models import Pet

    assert Pet.values == keys(rd.PETS)
    for language, field in (("ja", "name_ja"), ("en", "name_en")):
        with translation.override(language):
            assert [str(label) for label in Pet.labels] == [getattr(p, field) for p in rd.PETS]


def test_required_interests_present() -> None:
    required = {
        "cooking", "tea-ceremony", "calligraphy", "origami", "anime-manga", "music",
        "karaoke", "hiking", "cycling", "football", "baseball", "gardening", "photography",
        "temples-shrines", "festivals", "video-games", "reading", "movies", "board-games",
        "children", "pets", "traditional-crafts", "kimono", "onsen", "fashion",
        "art-museums", "running", "dance", "volunteering", "technology", "local-history",
        "cafes",
    }  # fmt: skip
    assert required <= set(keys(rd.INTERESTS))


def test_levels_ranked() -> None:
    assert [(lv.code, lv.rank) for lv in rd.LEVELS] == [
        ("beginner", 0),
        ("intermediate", 1),
        ("advanced", 2),
        ("native", 3),
    ]


def test_genders_exact() -> None:
    assert keys(rd.GENDERS) == ["female", "male", "nonbinary", "unspecified"]
    assert keys(rd.GUEST_GENDER_PREFERENCES) == ["any", "female", "male"]


def test_weekly_slots_are_weekday_by_part_of_day() -> None:
    assert keys(rd.WEEKDAYS) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert keys(rd.DAY_PARTS) == ["am", "pm", "eve"]
    assert keys(rd.WEEKLY_SLOTS) == [
        f"{day}-{part}" for day in keys(rd.WEEKDAYS) for part in keys(rd.DAY_PARTS)
    ]
    assert set(keys(rd.WEEKLY_SLOTS)) == rd.WEEKLY_SLOT_CODES
    saturday_morning = rd.WEEKLY_SLOTS[15]
    assert saturday_morning == ("sat-am", "sat", "am", "土曜日 午前", "Saturday Morning")


# --- well-formed keys -----------------------------------------------------------------


@pytest.mark.parametrize("rows", [rd.STATIONS, rd.INTERESTS], ids=["stations", "interests"])
def test_slugs_well_formed(rows: Sequence[tuple[object, ...]]) -> None:
    for slug in keys(rows):
        assert SLUG.fullmatch(slug), slug
        assert len(slug) <= SLUG_MAX, slug


@pytest.mark.parametrize(
    "rows",
    [rd.DIETS, rd.ALLERGENS, rd.PETS, rd.LEVELS, rd.GENDERS, rd.GUEST_GENDER_PREFERENCES],
    ids=["diets", "allergens", "pets", "levels", "genders", "guest-genders"],
)
def test_codes_well_formed(rows: Sequence[tuple[object, ...]]) -> None:
    for code in keys(rows):
        assert CODE.fullmatch(code), code
        assert len(code) <= CODE_MAX, code


# --- labels ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CODED_TABLES))
def test_labels_present_and_bilingual(name: str) -> None:
    for row in CODED_TABLES[name]:
        name_ja, name_en = row.name_ja, row.name_en
        assert name_ja.strip() == name_ja and name_ja, row
        assert name_en.strip() == name_en and name_en, row
        assert len(name_ja) <= NAME_MAX and len(name_en) <= NAME_MAX, row
        assert JAPANESE.search(name_ja), f"{name}: no Japanese in {name_ja!r}"
        assert not JAPANESE.search(name_en), f"{name}: Japanese in English label {name_en!r}"


def test_records_are_immutable() -> None:
    station = rd.STATIONS[0]
    with pytest.raises(AttributeError):
        station.slug = "elsewhere"
    assert isinstance(rd.STATIONS, tuple)
    assert isinstance(station.lines_en, tuple)


# --- stations -------------------------------------------------------------------------


def test_station_coordinates_in_western_tokyo() -> None:
    for st in rd.STATIONS:
        assert isinstance(st.latitude, float) and isinstance(st.longitude, float), st
        assert 35.60 <= st.latitude <= 35.78, st
        assert 139.35 <= st.longitude <= 139.72, st
        assert round(st.latitude, 4) == st.latitude, st
        assert round(st.longitude, 4) == st.longitude, st


@pytest.mark.parametrize(
    ("slug", "lat", "lon"),
    [
        ("kichijoji", 35.7030, 139.5795),
        ("mitaka", 35.7027, 139.5607),
        ("shinjuku", 35.6896, 139.7006),
        ("shibuya", 35.6580, 139.7016),
    ],
)
def test_landmark_stations_accurate(slug: str, lat: float, lon: float) -> None:
    st = next(s for s in rd.STATIONS if s.slug == slug)
    assert haversine_m(st.latitude, st.longitude, lat, lon) <= 300


def test_chuo_line_runs_east_to_west() -> None:
    order = [
        "nakano", "koenji", "asagaya", "ogikubo", "nishi-ogikubo", "kichijoji", "mitaka",
        "musashi-sakai", "higashi-koganei", "musashi-koganei", "kokubunji",
        "nishi-kokubunji", "kunitachi", "tachikawa",
    ]  # fmt: skip
    by_slug = {s.slug: s for s in rd.STATIONS}
    lons = [by_slug[slug].longitude for slug in order]
    assert lons == sorted(lons, reverse=True)
    for slug in order:
        assert 35.69 <= by_slug[slug].latitude <= 35.71, slug


def test_no_two_stations_on_top_of_each_other() -> None:
    stations = rd.STATIONS
    for i, a in enumerate(stations):
        for b in stations[i + 1 :]:
            assert haversine_m(a.latitude, a.longitude, b.latitude, b.longitude) > 400, (a, b)


def test_station_lines() -> None:
    for st in rd.STATIONS:
        assert st.lines_en, st
        assert all(line.strip() for line in st.lines_en), st
        assert len(st.lines_text) <= LINES_MAX, st
        assert len(set(st.lines_en)) == len(st.lines_en), st


def test_diet_implications_name_known_diets_and_mean_what_the_docs_say() -> None:
    diets = set(keys(rd.DIETS))
    implies = dict(rd.DIET_IMPLIES)
    assert {d for d, more in rd.DIET_IMPLIES for d in (d, *more)} <= diets
    assert "vegetarian" in implies["vegan"]
    assert {"no_pork", "no_alcohol"} <= set(implies["halal"])
