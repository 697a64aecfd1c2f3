"""Reading aids (accounts.reading): furigana and romaji for Japanese only, made offline, the
text escaped, the original unchanged."""

from __future__ import annotations

import pytest

from accounts import reading

TYPHOON = "明日の訪問は台風のため中止します。"


def test_furigana_puts_each_reading_over_its_kanji() -> None:
    html = reading.furigana_html(TYPHOON)
    assert "<ruby>訪問<rt>ほうもん</rt></ruby>" in html
    assert "<ruby>台風<rt>たいふう</rt></ruby>" in html
    assert html.count("<ruby>") == 4


def test_okurigana_stay_outside_the_ruby() -> None:
    html = reading.furigana_html("取り消しのお知らせ")
    assert html == (
        "<ruby>取<rt>と</rt></ruby>り<ruby>消<rt>け</rt></ruby>しのお<ruby>知<rt>し</rt></ruby>らせ"
    )


@pytest.mark.parametrize(
    "text", ["今天天气很好\uff0c我们去公园吧。", "안녕하세요", "Xin chào", "See you at 3 <b>pm</b>"]
)
def test_other_languages_are_never_touched(text: str) -> None:
    assert "<ruby>" not in reading.furigana_html(text)
    assert reading.romaji(text) == ""
    assert reading.reading_payload(text, "furigana") is None


def test_the_text_is_escaped_around_the_ruby() -> None:
    html = reading.furigana_html('<script>alert("訪問")</script>です')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<ruby>訪問<rt>ほうもん</rt></ruby>" in html


def test_romaji_spells_particles_as_said() -> None:
    assert reading.romaji(TYPHOON) == "ashita no houmon wa taifuu notame chuushi shimasu."


def test_the_aid_off_shows_the_text_as_written() -> None:
    assert reading.reading_aid_html(TYPHOON, "off") == (
        f'<span data-reading-aid="off">{TYPHOON}</span>'
    )
    assert reading.reading_payload(TYPHOON, "off") is None


def test_pieces_join_back_to_the_text() -> None:
    pieces = reading.furigana_pieces("Hello! 明日、吉祥寺駅で会いましょう。")
    assert "".join(piece for piece, _reading in pieces) == "Hello! 明日、吉祥寺駅で会いましょう。"
    assert ("吉祥寺駅", "きちじょうじえき") in pieces


def test_easy_japanese_pages_read_only_the_hard_kanji_and_only_in_text() -> None:
    html = (
        '<title>訪問</title><p title="訪問">日本語の訪問 &amp; <b lang="zh-hans">简体中文</b></p>'
        '<option>訪問</option><span data-reading-aid="off">台風</span>'
    )
    assert reading.easy_japanese_html(html) == (
        '<title>訪問</title><p title="訪問">日本語の<ruby>訪問<rt>ほうもん</rt></ruby> &amp; '
        '<b lang="zh-hans">简体中文</b></p><option>訪問</option>'
        '<span data-reading-aid="off">台風</span>'
    )


def test_decorations_hidden_from_screen_readers_get_no_furigana() -> None:
    html = '<span aria-hidden="true">縁</span><span>縁側</span>'
    assert reading.easy_japanese_html(html) == (
        '<span aria-hidden="true">縁</span><span><ruby>縁側<rt>えんがわ</rt></ruby></span>'
    )
