"""The columns of an association's registry spreadsheet, and how a cell becomes a profile value.

Each column has the headers people write in Japanese and in English (compared after Unicode
NFKC, without spaces, case or a "(必須)"/"(required)" mark) and a parser that turns the cell's
text into the value the profile API takes; the profile's own serializer then checks that
value against the model's limits, so no rule is written twice. A parser raises ``CellError``
with a message that names what it could not read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from accounts import reference_data as rd
from accounts.selectors import reference_choices


class CellError(ValueError):
    """A cell that cannot be read; the message says why."""


def normalise(text: str) -> str:
    """Text as compared: NFKC (full-width letters and digits become ASCII), lower case, no
    spaces, no required mark."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"\((必須|required)\)|\*", "", text)
    return re.sub(r"[\s_・]+", "", text)


# Words a yes/no cell may hold, after ``normalise``.
_YES = frozenset({"はい", "あり", "有", "有り", "する", "yes", "y", "true", "1", "○", "◯", "o"})
_NO = frozenset(
    {"いいえ", "なし", "無", "無し", "しない", "no", "n", "false", "0", "\u00d7", "x", "-"}
)  # x: the multiplication sign
# A list cell meaning "none of them".
_NONE = frozenset({"なし", "無し", "無", "none", "no", "-", "ー"})
# Applied after NFKC, which makes full-width commas, slashes and brackets ASCII.
_SPLIT = re.compile(r"[,、;/\n]+")


def _yes_no(text: str) -> bool:
    word = normalise(text)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(_("「%(value)s」 is not yes or no (はい/いいえ, yes/no).") % {"value": text})


def _lookup(pairs: list[tuple[str, str, str]]) -> dict[str, str]:
    """Each code, Japanese label and English label, normalised -> code."""
    table: dict[str, str] = {}
    for code, name_ja, name_en in pairs:
        for key in (code, name_ja, name_en):
            table[normalise(key)] = code
    return table


@cache
def _reference_lookup(table: str) -> dict[str, str]:
    """A reference table's codes by their names: read once per import (``lookups_clear``),
    not once per cell."""
    ja = dict(reference_choices(table, language="ja"))
    en = dict(reference_choices(table, language="en"))
    return _lookup([(code, ja[code], en[code]) for code in ja])


def lookups_clear() -> None:
    """Forget the reference tables read by the last import: the admin may have changed them."""
    _reference_lookup.cache_clear()


def _vocabulary_lookup(rows: tuple[Any, ...]) -> dict[str, str]:
    return _lookup([(row.code, row.name_ja, row.name_en) for row in rows])


def _one_of(lookup: Callable[[], dict[str, str]], what: Promise) -> Callable[[str], str]:
    def parse(text: str) -> str:
        code = lookup().get(normalise(text))
        if code is None:
            raise CellError(
                _("「%(value)s」 is not a known %(what)s.") % {"value": text, "what": what}
            )
        return code

    return parse


def _many_of(lookup: Callable[[], dict[str, str]], what: Promise) -> Callable[[str], list[str]]:
    one = _one_of(lookup, what)

    def parse(text: str) -> list[str]:
        if normalise(text) in _NONE:
            return []
        text = unicodedata.normalize("NFKC", text)
        return [one(item) for item in _SPLIT.split(text) if item.strip()]

    return parse


@cache
def _countries() -> dict[str, str]:
    table: dict[str, str] = {}
    for language in ("ja", "en"):
        with translation.override(language):
            for code, name in countries:
                table[normalise(str(name))] = code
                table[normalise(code)] = code
    # The names people write that the standard list spells otherwise.
    table.update({normalise(k): v for k, v in (("アメリカ", "US"), ("USA", "US"), ("韓国", "KR"))})
    return table


def _levels() -> dict[str, str]:
    table = _vocabulary_lookup(rd.LEVELS)
    table.update({normalise("母語"): "native", normalise("日常会話"): "intermediate"})
    return table


def _languages(text: str) -> list[dict[str, str]]:
    """「日本語(ネイティブ)、英語(初級)」 or "en:native, ja:beginner"; no level: intermediate."""
    if normalise(text) in _NONE:
        return []
    language = _one_of(lambda: _reference_lookup("languages"), gettext_lazy("language"))
    level = _one_of(_levels, gettext_lazy("language level"))
    skills = []
    for item in _SPLIT.split(unicodedata.normalize("NFKC", text)):
        if not item.strip():
            continue
        match = re.fullmatch(r"\s*([^(:]+?)\s*(?:[(:]\s*([^)]+?)\s*\)?)?\s*", item)
        if match is None:
            raise CellError(_("「%(value)s」 is not a language with its level.") % {"value": item})
        name, given_level = match.groups()
        skills.append(
            {"code": language(name), "level": level(given_level) if given_level else "intermediate"}
        )
    return skills


def _whole_number(text: str) -> int:
    digits = normalise(text).removesuffix("人").removesuffix("分").removesuffix("年")
    if not digits.isdigit():
        raise CellError(_("「%(value)s」 is not a whole number.") % {"value": text})
    return int(digits)


def _text(text: str) -> str:
    return text.strip()


def _phone(text: str) -> str:
    # Full-width digits and the long dash people type become what the phone check takes.
    return unicodedata.normalize("NFKC", text).replace("ー", "-").replace("\u2212", "-").strip()


@dataclass(frozen=True)
class Column:
    """A column of the registry: the profile (or account) field it fills."""

    field: str
    header_ja: str
    header_en: str
    parse: Callable[[str], Any]
    # More headers that mean the same column (realistic spellings).
    aliases: tuple[str, ...] = ()
    required: bool = False
    # Shown in the template's example row.
    example_ja: str = ""
    example_en: str = ""

    def headers(self) -> set[str]:
        return {normalise(h) for h in (self.header_ja, self.header_en, *self.aliases)}

    def header(self, language: str) -> str:
        return self.header_ja if language.startswith("ja") else self.header_en


_pets = _many_of(lambda: _vocabulary_lookup(rd.PETS), gettext_lazy("pet"))
_diets = _many_of(lambda: _reference_lookup("diets"), gettext_lazy("diet"))
_interests = _many_of(lambda: _reference_lookup("interests"), gettext_lazy("interest"))
_station = _one_of(lambda: _reference_lookup("stations"), gettext_lazy("station"))


def _pets_with_words(text: str) -> list[str]:
    # 「犬」, 「猫2匹」: a count after the animal is common in these sheets.
    return _pets(re.sub(r"\d+\s*(匹|頭|羽)", "", text))


# Columns both registries have (each with its own example).
_STATION = Column(
    "home_station",
    "最寄り駅",
    "Nearest station",
    _station,
    ("最寄駅", "駅", "station"),
)

_LANGUAGES = Column(
    "languages",
    "話せる言語",
    "Languages",
    _languages,
    ("言語", "使用言語", "languages spoken"),
)

_INTERESTS = Column(
    "interests",
    "趣味",
    "Interests",
    _interests,
    ("興味", "hobbies"),
)

ACCOUNT_COLUMNS = (
    Column(
        "name",
        "氏名",
        "Name",
        _text,
        ("名前", "お名前", "full name"),
        True,
        "山田 花子",
        "Hanako Yamada",
    ),
    Column(
        "email",
        "メール",
        "E-mail",
        _text,
        ("メールアドレス", "email", "e-mail address", "mail"),
        True,
        "hanako@example.jp",
        "hanako@example.jp",
    ),
    Column(
        "preferred_language",
        "連絡言語",
        "Language for e-mails",
        _one_of(
            lambda: _lookup([("ja", "日本語", "Japanese"), ("en", "英語", "English")]),
            gettext_lazy("language for e-mails"),
        ),
        ("言語設定", "preferred language", "language"),
        example_ja="日本語",
        example_en="English",
    ),
)

HOST_COLUMNS = (
    *ACCOUNT_COLUMNS,
    Column(
        "household_name",
        "世帯名",
        "Household name",
        _text,
        ("家族名", "household"),
        False,
        "山田家",
        "The Yamadas",
    ),
    Column(
        "household_size",
        "家族人数",
        "Household size",
        _whole_number,
        ("人数", "世帯人数"),
        False,
        "4",
        "4",
    ),
    Column(
        "has_children",
        "子ども",
        "Children",
        _yes_no,
        ("子供", "お子さん", "children at home"),
        example_ja="あり",
        example_en="yes",
    ),
    Column(
        "phone",
        "電話",
        "Phone",
        _phone,
        ("電話番号", "tel", "telephone", "phone number"),
        example_ja="090-1234-5678",
        example_en="090-1234-5678",
    ),
    Column(
        "address",
        "住所",
        "Address",
        _text,
        ("ご住所",),
        example_ja="東京都三鷹市下連雀3-1-1",
        example_en="3-1-1 Shimorenjaku, Mitaka, Tokyo",
    ),
    replace(_STATION, example_ja="三鷹", example_en="Mitaka"),
    Column("pets", "ペット", "Pets", _pets_with_words, ("pet",), example_ja="犬", example_en="dog"),
    Column(
        "smoking",
        "喫煙",
        "Smoking",
        _yes_no,
        ("喫煙者", "smoker", "smoking at home"),
        example_ja="なし",
        example_en="no",
    ),
    replace(
        _LANGUAGES,
        example_ja="日本語(ネイティブ)、英語(初級)",
        example_en="Japanese (native), English (beginner)",
    ),
    Column(
        "diets_supported",
        "対応できる食事",
        "Diets we can cater for",
        _diets,
        ("食事対応", "diets"),
        example_ja="ベジタリアン",
        example_en="vegetarian",
    ),
    replace(_INTERESTS, example_ja="料理、茶道", example_en="cooking, tea ceremony"),
)

STUDENT_COLUMNS = (
    *ACCOUNT_COLUMNS,
    Column(
        "nationality",
        "国籍",
        "Nationality",
        _one_of(_countries, gettext_lazy("country")),
        ("国・地域", "country"),
        example_ja="ベトナム",
        example_en="Vietnam",
    ),
    Column(
        "gender",
        "性別",
        "Gender",
        _one_of(lambda: _vocabulary_lookup(rd.GENDERS), gettext_lazy("gender")),
        ("sex",),
        example_ja="女性",
        example_en="female",
    ),
    Column(
        "birth_year",
        "生まれ年",
        "Year of birth",
        _whole_number,
        ("生年", "birth year"),
        example_ja="2002",
        example_en="2002",
    ),
    Column(
        "school",
        "学校",
        "School",
        _text,
        ("学校名", "所属", "university"),
        example_ja="東京国際大学",
        example_en="Tokyo International University",
    ),
    replace(_STATION, example_ja="吉祥寺", example_en="Kichijoji"),
    replace(
        _LANGUAGES,
        example_ja="ベトナム語(ネイティブ)、日本語(中級)",
        example_en="Vietnamese (native), Japanese (intermediate)",
    ),
    Column(
        "diet",
        "食事制限",
        "Diet",
        _diets,
        ("食事", "dietary needs"),
        example_ja="ハラール",
        example_en="halal",
    ),
    Column(
        "allergies",
        "アレルギー",
        "Allergies",
        _many_of(lambda: _reference_lookup("allergens"), gettext_lazy("allergen")),
        ("allergy",),
        example_ja="なし",
        example_en="none",
    ),
    Column(
        "needs_non_smoking",
        "禁煙希望",
        "Needs a smoke-free home",
        _yes_no,
        ("禁煙", "non-smoking"),
        example_ja="はい",
        example_en="yes",
    ),
    Column(
        "max_travel_minutes",
        "移動時間(分)",
        "Longest travel (minutes)",
        _whole_number,
        ("移動時間", "travel minutes"),
        example_ja="60",
        example_en="60",
    ),
    replace(_INTERESTS, example_ja="アニメ・マンガ", example_en="anime and manga"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {"hosts": HOST_COLUMNS, "students": STUDENT_COLUMNS}
