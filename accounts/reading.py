"""Reading aids for Japanese text: furigana (``<ruby>``) and romaji, made on the server,
offline, by pykakasi (its dictionary ships in the wheel; nothing is downloaded at run time).

Only Japanese is touched: a text counts as Japanese when it has kana, so Chinese (Han
characters without kana), Korean, Vietnamese or English come back exactly as given. The
stored text is never changed; these functions only make what is shown.

Every function here returns escaped HTML (or plain text): the reading comes from the
dictionary, the kanji from the text, and both are escaped before they are put in a tag.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pykakasi
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ]")
# A run of Japanese script: what pykakasi is given, and what the easy-Japanese pages rubify.
JAPANESE_RUN = re.compile(
    r"[\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ー]+"
)

# The kanji of JLPT N5: a first-year learner reads these, so easy Japanese gives them no
# furigana; every other kanji gets its reading.
FIRST_YEAR_KANJI = frozenset(
    "一二三四五六七八九十百千万円日月火水木金土年時分半今毎週上下中左右前後外大小長高安新古"
    "多少人子女男父母友先生学校本語名何山川田天気雨花電車駅道店国東西南北食飲見聞読書話言"
    "買行来出入休立会白午口目耳手足間社空魚"
)
NO_KANJI: frozenset[str] = frozenset()

# Particles pykakasi spells as written; romaji spells them as said.
_PARTICLES = {"は": "wa", "を": "o", "へ": "e"}
# Japanese full stop, comma, marks, brackets and the ideographic space, as ASCII.
_PUNCTUATION = str.maketrans(
    "\u3002\u3001\uff01\uff1f\uff1a\uff08\uff09\u300c\u300d\u3000", '.,!?:()"" '
)


@lru_cache(maxsize=1)
def _kakasi() -> pykakasi.kakasi:
    return pykakasi.kakasi()  # type: ignore[no-untyped-call]  # pykakasi has no annotations


def is_japanese(text: str) -> bool:
    return bool(KANA.search(text))


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[str, str, str], ...]:
    """(as written, hiragana, Hepburn) per word of ``text``."""
    return tuple((w["orig"], w["hira"], w["hepburn"]) for w in _kakasi().convert(text))


def _split_reading(word: str, reading: str) -> list[tuple[str, str | None]]:
    """``word`` in pieces, each kanji run with its share of ``reading``: 取り消し/とりけし ->
    [(取, と), (り, None), (消, け), (し, None)]. The kana between kanji anchor the split;
    when they cannot (a reading that does not fit), the whole word gets the whole reading."""
    pieces = re.findall(r"[^\u3041-\u309f\u30a0-\u30ff]+|[\u3041-\u309f\u30a0-\u30ff]+", word)
    pattern = "".join(
        "(.+?)" if KANJI.search(piece) else f"({re.escape(_hiragana(piece))})" for piece in pieces
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [(word, reading)]
    return [
        (piece, match.group(index + 1) if KANJI.search(piece) else None)
        for index, piece in enumerate(pieces)
    ]


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def _ruby_run(run: str, known: frozenset[str]) -> str:
    """Escaped HTML of one run of Japanese script, with ``<ruby>`` on each kanji piece that
    has a kanji outside ``known``."""
    html: list[str] = []
    for word, reading, _romaji in _words(run):
        if not KANJI.search(word):
            html.append(escape(word))
            continue
        for piece, piece_reading in _split_reading(word, reading):
            needs = piece_reading and any(KANJI.match(c) and c not in known for c in piece)
            if needs and piece_reading != piece:
                html.append(f"<ruby>{escape(piece)}<rt>{escape(piece_reading)}</rt></ruby>")
            else:
                html.append(escape(piece))
    return "".join(html)


def furigana_html(text: str, *, known: frozenset[str] = NO_KANJI) -> SafeString:
    """``text`` escaped, with furigana on every kanji not in ``known``; a text that is not
    Japanese is only escaped."""
    if not is_japanese(text):
        return escape(text)
    out: list[str] = []
    position = 0
    for match in JAPANESE_RUN.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(_ruby_run(match.group(0), known))
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308  # every piece escaped above


def romaji(text: str) -> str:
    """``text`` in Hepburn romaji, words apart (plain text, to be escaped where shown); ""
    for a text that is not Japanese."""
    if not is_japanese(text):
        return ""
    words: list[str] = []
    position = 0
    for match in JAPANESE_RUN.finditer(text):
        words.append(text[position : match.start()].strip())
        words.extend(
            _PARTICLES.get(word, spelt) for word, _reading, spelt in _words(match.group(0))
        )
        position = match.end()
    words.append(text[position:].strip())
    spelt = " ".join(w for w in words if w).translate(_PUNCTUATION)
    return re.sub(r"\s+([.,!?:)])", r"\1", spelt)


_SKIPPED = ("script", "style", "textarea", "title", "option", "ruby", "rt", "rp", "code", "pre")
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# An element marked as another language (the switch's 简体中文, a name in Hangul) keeps its text.
# and so does a text shown as its author wrote it (``reading_aid_html``, the aid off).
# Decorations hidden from assistive technology (the brand's 縁) are not read either.
_OTHER_LANGUAGE = re.compile(r"""\slang=["'](?!ja)|\sdata-reading-aid=|\saria-hidden=["']true""")


def easy_japanese_html(html: str) -> str:
    """A rendered easy-Japanese page (escaped HTML) with furigana on the kanji a first-year
    learner would not read. Only text between tags changes: attributes, elements whose text
    cannot hold markup (``<title>``, ``<option>``, ``<textarea>``...), elements marked with
    another ``lang`` and people's own words (``reading_aid_html``) stay as they are.
    Escaped text holds no ``<``, ``>`` or ``&`` inside a run of Japanese script, so a run is
    the same escaped or not."""
    out: list[str] = []
    skipping: list[str] = []
    for part in _TAG.split(html):
        if part.startswith("<"):
            tag = _TAG_NAME.match(part)
            name = tag.group(2).lower() if tag is not None else ""
            if tag is not None and tag.group(1):
                if skipping and skipping[-1] == name:
                    skipping.pop()
            elif name in _SKIPPED or _OTHER_LANGUAGE.search(part):
                skipping.append(name)
            out.append(part)
        elif skipping or not KANJI.search(part):
            out.append(part)
        else:
            out.append(JAPANESE_RUN.sub(lambda m: _ruby_run(m.group(0), FIRST_YEAR_KANJI), part))
    return "".join(out)


def furigana_pieces(text: str) -> list[tuple[str, str | None]]:
    """``text`` as (piece, reading or None) pairs, for a client that builds the ``<ruby>``
    itself (the chat's live messages): joined, the pieces are ``text``."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in JAPANESE_RUN.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], None))
        for word, reading, _romaji in _words(match.group(0)):
            if KANJI.search(word):
                pieces.extend(_split_reading(word, reading))
            else:
                pieces.append((word, None))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def reading_payload(text: str, aid: str) -> dict[str, object] | None:
    """What a client shows over ``text`` for a reader whose reading aid is ``aid``
    (``accounts.models.ReadingAid``); None when the aid is off or the text is not Japanese."""
    if aid == "off" or not is_japanese(text):
        return None
    if aid == "furigana":
        return {"furigana": [[piece, reading] for piece, reading in furigana_pieces(text)]}
    return {"romaji": romaji(text)}


def reading_aid_html(text: str, aid: str) -> SafeString:
    """``text`` as a page shows it to a reader whose reading aid is ``aid``: unchanged (only
    escaped) when off or not Japanese, with furigana, or followed by its romaji."""
    shown = furigana_html(text) if aid == "furigana" else escape(text)
    extra = ""
    if aid == "romaji" and is_japanese(text):
        extra = f' <span class="reading-aid__romaji" lang="ja-Latn">{escape(romaji(text))}</span>'
    return mark_safe(f'<span data-reading-aid="{escape(aid)}">{shown}</span>{extra}')  # noqa: S308  # escaped
