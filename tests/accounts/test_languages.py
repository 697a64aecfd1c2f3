"""The seven languages and the fallback chain: easy Japanese falls back to Japanese, every
other language to English (the source), never to a message id that is not a sentence."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from accounts.languages import CODES, EASY_JAPANESE, fallback_language, supported
from accounts.models import Language

MESSAGE = "Your e-mail address is confirmed."  # in every catalogue, Japanese 確認しました
JAPANESE = "メールアドレスを確認しました。"


def without_own_catalogue(code: str) -> trans_real.DjangoTranslation:
    """``code``'s translation as Django builds it, its own messages taken away: what a reader
    of ``code`` sees for a message its translators have not reached yet."""
    built = trans_real.DjangoTranslation(code)
    built._catalog = trans_real.TranslationCatalog()
    return built


def test_settings_models_and_module_agree_on_the_seven() -> None:
    assert [code for code, _name in settings.LANGUAGES] == list(CODES)
    assert [choice.value for choice in Language] == list(CODES)
    assert len(CODES) == 7


def test_easy_japanese_falls_back_to_japanese() -> None:
    assert without_own_catalogue(EASY_JAPANESE).gettext(MESSAGE) == JAPANESE


@pytest.mark.parametrize("code", ["zh-hans", "vi", "ne", "ko"])
def test_the_others_fall_back_to_english_not_japanese(code: str) -> None:
    assert without_own_catalogue(code).gettext(MESSAGE) == MESSAGE
    assert fallback_language(code) == "en"


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
