"""The seven languages Engawa speaks, and which one stands in when a message is missing.

Easy Japanese (やさしい日本語) is a language of its own, ``ja-easy``: Django carries any code
of the form ``xx-yyyy``, its catalogue lives in ``locale/ja_Easy`` (``to_locale``), and Django
only needs to be told its names (``EXTRA_LANG_INFO``). Its messages are plain easy Japanese;
``accounts.furigana`` adds the ``<ruby>`` readings when a page is rendered.

English is the source language (every msgid is English). A message missing in easy Japanese
falls back to Japanese; missing in any other language, to English, the msgid itself: never to
Japanese, which a Vietnamese reader may not read at all, and never to a raw message id that is
not a sentence.
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


def install() -> None:
    """Teach Django the easy-Japanese code and the fallback rule above; called once, from
    ``AccountsConfig.ready``.

    Django falls back from every language to ``LANGUAGE_CODE`` (Japanese here): right for easy
    Japanese, wrong for the others. Its fallback is one private method of ``DjangoTranslation``;
    it is wrapped, not copied, so the Japanese case keeps Django's own code.
    """
    from django.conf.locale import LANG_INFO
    from django.utils.translation import trans_real

    LANG_INFO.update(EXTRA_LANG_INFO)
    original = trans_real.DjangoTranslation._add_fallback  # type: ignore[attr-defined]  # private
    if getattr(original, "engawa", False):
        return

    def _add_fallback(self: trans_real.DjangoTranslation, localedirs: Any = None) -> None:
        if fallback_language(self.language()) == JAPANESE:
            original(self, localedirs)

    _add_fallback.engawa = True  # type: ignore[attr-defined]  # marks the wrapper: install once
    # Django's private method, wrapped (see the docstring); the stubs do not declare it.
    trans_real.DjangoTranslation._add_fallback = _add_fallback  # type: ignore[attr-defined]  # private, replaced once
    trans_real._translations = {}  # type: ignore[attr-defined]  # built before the rule: none
