"""The seven languages and the fallback chain: easy Japanese falls back to Japanese, every
other language to English (the source), never to a message id that is not a sentence."""

from __future__ import annotations

import array
import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from django.utils.translation import trans_real

from accounts.languages import CODES, EASY_JAPANESE, fallback_language, supported
from accounts.models import Language

MESSAGE = "Your e-mail address is confirmed."  # in every catalogue, Japanese 確認しました
JAPANESE = "メールアドレスを確認しました。"

ONLY_IN_JAPANESE = "Only the Japanese translators have reached this message."
IN_NONE = "No translator has reached this message."


def write_catalogue(directory: Path, messages: dict[str, str]) -> None:
    """A compiled catalogue (GNU .mo) of ``messages`` in ``directory``/LC_MESSAGES, written
    here so that the test needs no gettext tools."""
    catalogue = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(key.encode() for key in catalogue)
    values = [catalogue[key.decode()].encode() for key in keys]
    ids = b"".join(key + b"\0" for key in keys)
    strs = b"".join(value + b"\0" for value in values)
    start_ids = 7 * 4 + 16 * len(keys)
    start_strs = start_ids + len(ids)
    table_ids: list[int] = []
    table_strs: list[int] = []
    offset_id = offset_str = 0
    for key, value in zip(keys, values, strict=True):
        table_ids += [len(key), start_ids + offset_id]
        table_strs += [len(value), start_strs + offset_str]
        offset_id += len(key) + 1
        offset_str += len(value) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    folder = directory / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.mo").write_bytes(
        header + array.array("i", table_ids + table_strs).tobytes() + ids + strs
    )


@pytest.fixture
def half_translated(tmp_path: Path):
    """The project's catalogues as they are while translators are at work: a message the
    Japanese catalogue has and easy Japanese and Vietnamese lack, one nobody has translated.
    override_settings clears Django's cached catalogues (its setting_changed receiver)."""
    write_catalogue(tmp_path / "en", {MESSAGE: MESSAGE, ONLY_IN_JAPANESE: ONLY_IN_JAPANESE})
    only_japanese = "日本語だけにあります。"
    write_catalogue(tmp_path / "ja", {MESSAGE: JAPANESE, ONLY_IN_JAPANESE: only_japanese})
    write_catalogue(tmp_path / "ja_Easy", {MESSAGE: "メールアドレスを たしかめました。"})
    write_catalogue(tmp_path / "vi", {MESSAGE: "Địa chỉ e-mail của bạn đã được xác nhận."})
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield


def gettext_in(code: str, message: str) -> str:
    with translation.override(code):
        return translation.gettext(message)


def test_a_message_missing_in_easy_japanese_comes_in_japanese(half_translated) -> None:
    assert gettext_in(EASY_JAPANESE, MESSAGE) == "メールアドレスを たしかめました。"
    assert gettext_in(EASY_JAPANESE, ONLY_IN_JAPANESE) == "日本語だけにあります。"


def test_a_message_missing_in_vietnamese_comes_in_english_not_japanese(half_translated) -> None:
    assert gettext_in("vi", MESSAGE) == "Địa chỉ e-mail của bạn đã được xác nhận."
    assert gettext_in("vi", ONLY_IN_JAPANESE) == ONLY_IN_JAPANESE


@pytest.mark.parametrize("code", CODES)
def test_a_message_nobody_translated_comes_in_english(half_translated, code: str) -> None:
    assert gettext_in(code, IN_NONE) == IN_NONE


@pytest.mark.parametrize("code", ["zh-hans", "vi", "ne", "ko"])
def test_the_rule_for_data_matches_the_catalogues(code: str) -> None:
    """``fallback_language``, the same rule for texts kept in the database (a programme's
    name per language), names what the catalogues do."""
    assert fallback_language(code) == "en"
    assert fallback_language(EASY_JAPANESE) == "ja"


def test_easy_japanese_gets_djangos_own_messages_in_japanese() -> None:
    """Django's and the libraries' catalogues have no easy Japanese: gettext finds their
    Japanese ones for ``ja_Easy`` the same way."""
    assert gettext_in(EASY_JAPANESE, "This field is required.") == gettext_in(
        "ja", "This field is required."
    )
    assert gettext_in("ja", "This field is required.") != "This field is required."


def test_settings_models_and_module_agree_on_the_seven() -> None:
    assert [code for code, _name in settings.LANGUAGES] == list(CODES)
    assert [choice.value for choice in Language] == list(CODES)
    assert len(CODES) == 7


@pytest.mark.parametrize("code", CODES)
def test_every_language_has_a_real_sentence_for_a_message(code: str) -> None:
    with translation.override(code):
        text = translation.gettext(MESSAGE)
    assert text in (MESSAGE, JAPANESE) or (code not in ("ja", "en") and text.strip())
    assert "_" not in text and "." not in text[:-1]  # a sentence, not an id like "email.ok"


def test_easy_japanese_is_known_to_django() -> None:
    info = translation.get_language_info(EASY_JAPANESE)
    assert info["name_local"] == "やさしい にほんご"
    assert translation.to_locale(EASY_JAPANESE) == "ja_Easy"
    assert trans_real.check_for_language(EASY_JAPANESE)


def test_an_unknown_code_is_not_supported() -> None:
    assert supported("fr") == "ja"
    assert supported("ja-easy") == "ja-easy"
    assert supported(None, default="en") == "en"


def test_the_reference_messages_are_the_reference_data_names() -> None:
    """accounts/reference_messages.py lists every English name of the reference data but the
    stations' (makemessages reads it), so each catalogue can translate them."""
    from accounts import reference_data as rd
    from accounts.reference_messages import REFERENCE_MESSAGES

    groups = (
        rd.LANGUAGES, rd.DIETS, rd.ALLERGENS, rd.PETS, rd.INTERESTS, rd.LEVELS, rd.GENDERS,
        rd.GUEST_GENDER_PREFERENCES, rd.WEEKDAYS, rd.DAY_PARTS, rd.WEEKLY_SLOTS,
    )  # fmt: skip
    names = {row.name_en for group in groups for row in group}
    with translation.override("en"):
        assert {str(message) for message in REFERENCE_MESSAGES} == names


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "卵"), ("ja-easy", "卵"), ("en", "Egg"), ("ko", None)],
)
def test_a_reference_name_in_each_language(language: str, expected: str | None) -> None:
    from accounts.languages import reference_name

    name = reference_name("卵", "Egg", language)
    if expected is not None:
        assert name == expected
    else:  # the catalogue's translation, or English while it has none: never the raw key
        assert name and "reference data" not in name and "\x04" not in name
