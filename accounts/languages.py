"""The seven languages Engawa speaks, and which one stands in when a message is missing.

Easy Japanese (やさしい日本語) is a language of its own, ``ja-easy``: Django carries any code
of the form ``xx-yyyy``, its catalogue lives in ``locale/ja_Easy`` (``to_locale``), and Django
only needs to be told its names (``EXTRA_LANG_INFO``). Its messages are plain easy Japanese;
``accounts.reading`` adds the ``<ruby>`` readings when a page is rendered.

English is the source language (every msgid is English). A message missing in easy Japanese
falls back to Japanese; missing in any other language, to English, the msgid itself: never to
Japanese, which a Vietnamese reader may not read at all, and never to a raw message id that is
not a sentence. Both come from the settings, with no code of ours: gettext reads the locale
``ja_Easy`` as Japanese of a variant ``Easy`` and chains the ``ja`` catalogue behind it
(Django keeps that chain when it merges catalogues), and Django puts ``LANGUAGE_CODE``,
English, behind every language but English itself. Japanese stays the site's own default
(``DEFAULT_LANGUAGE``) for a visitor who names no language (``accounts.middleware``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

JAPANESE = "ja"
ENGLISH = "en"
EASY_JAPANESE = "ja-easy"
CHINESE = "zh-hans"
VIETNAMESE = "vi"
NEPALI = "ne"
KOREAN = "ko"

# The language of a visitor who names none (no account, no choice, no Accept-Language): the
# association's own. Django's LANGUAGE_CODE is English, the language of missing messages.
DEFAULT_LANGUAGE = JAPANESE

# Django's LANGUAGES: the code and its name in the reader's language (the switch shows each
# in its own, ``LANGUAGE_NATIVE_NAMES``, so a lost reader finds theirs).
LANGUAGES: list[tuple[str, Any]] = [
    (JAPANESE, _("Japanese")),
    (ENGLISH, _("English")),
    (EASY_JAPANESE, _("Easy Japanese")),
    (CHINESE, _("Simplified Chinese")),
    (VIETNAMESE, _("Vietnamese")),
    (NEPALI, _("Nepali")),
    (KOREAN, _("Korean")),
]
CODES: tuple[str, ...] = tuple(code for code, _name in LANGUAGES)

LANGUAGE_NATIVE_NAMES: dict[str, str] = {
    JAPANESE: "日本語",
    ENGLISH: "English",
    EASY_JAPANESE: "やさしい にほんご",
    CHINESE: "简体中文",
    VIETNAMESE: "Tiếng Việt",
    NEPALI: "नेपाली",
    KOREAN: "한국어",
}

# Django knows every code above but ours (django.conf.locale.LANG_INFO).
EXTRA_LANG_INFO: dict[str, dict[str, Any]] = {
    EASY_JAPANESE: {
        "bidi": False,
        "code": EASY_JAPANESE,
        "name": "Easy Japanese",
        "name_local": "やさしい にほんご",
        "fallback": [JAPANESE],
    },
}


def fallback_language(code: str) -> str:
    """The language whose message stands in when ``code``'s catalogue lacks one."""
    return JAPANESE if code in (JAPANESE, EASY_JAPANESE) else ENGLISH


def supported(code: str | None, default: str = JAPANESE) -> str:
    """``code`` when Engawa speaks it, else ``default``."""
    return code if code in CODES else default


def reads_japanese(code: str | None) -> bool:
    """Whether a reader of ``code`` reads the Japanese interface (dates, names in kanji...)."""
    return code in (JAPANESE, EASY_JAPANESE)


REFERENCE_CONTEXT = "reference data"


def reference_name(name_ja: str, name_en: str, language: str | None = None) -> str:
    """A reference row's name (a language, diet, allergen, interest...) for a reader of
    ``language`` (the active one by default): the Japanese name for both Japanese languages,
    the English one translated (``accounts.reference_messages``) for the others."""
    from django.utils import translation

    language = language or translation.get_language() or JAPANESE
    if reads_japanese(language):
        return name_ja
    if language == ENGLISH:
        return name_en
    with translation.override(language):
        return translation.pgettext(REFERENCE_CONTEXT, name_en)


def register_easy_japanese() -> None:
    """Tell Django the names of the easy-Japanese code (it knows every other code of ours);
    called once, from ``AccountsConfig.ready``."""
    from django.conf.locale import LANG_INFO

    LANG_INFO.update(EXTRA_LANG_INFO)
