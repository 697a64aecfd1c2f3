"""Each station's reading in hiragana, so that the station search finds 吉祥寺 by きちじょうじ
(and by キチジョウジ: the pages fold katakana to hiragana).

Drafted offline with pykakasi 2.3.0 from ``reference_data.STATIONS``' Japanese names, then checked
against each station's official romanisation (``name_en``), which corrected the readings a
dictionary gets wrong for place names (阿佐ケ谷 あさがや, 国立 くにたち, 富士見ヶ丘 ふじみがおか).
A test keeps this table and the station list in step."""

from __future__ import annotations

STATION_READINGS: dict[str, str] = {
    "shinjuku": "しんじゅく",
    "nakano": "なかの",
    "koenji": "こうえんじ",
    "asagaya": "あさがや",
    "ogikubo": "おぎくぼ",
    "nishi-ogikubo": "にしおぎくぼ",
    "kichijoji": "きちじょうじ",
    "mitaka": "みたか",
    "musashi-sakai": "むさしさかい",
    "higashi-koganei": "ひがしこがねい",
    "musashi-koganei": "むさしこがねい",
    "kokubunji": "こくぶんじ",
    "nishi-kokubunji": "にしこくぶんじ",
    "kunitachi": "くにたち",
    "tachikawa": "たちかわ",
    "shibuya": "しぶや",
    "shimokitazawa": "しもきたざわ",
    "meidaimae": "めいだいまえ",
    "eifukucho": "えいふくちょう",
    "hamadayama": "はまだやま",
    "takaido": "たかいど",
    "fujimigaoka": "ふじみがおか",
    "kugayama": "くがやま",
    "mitakadai": "みたかだい",
    "inokashira-koen": "いのがしらこうえん",
    "chitose-karasuyama": "ちとせからすやま",
    "sengawa": "せんかわ",
    "tsutsujigaoka": "つつじがおか",
    "shibasaki": "しばさき",
    "kokuryo": "こくりょう",
    "chofu": "ちょうふ",
    "tobitakyu": "とびたきゅう",
    "tama-reien": "たまれいえん",
    "higashi-fuchu": "ひがしふちゅう",
    "fuchu": "ふちゅう",
    "fuchu-hommachi": "ふちゅうほんまち",
    "shin-koganei": "しんこがねい",
    "tama": "たま",
    "kami-igusa": "かみいぐさ",
    "kami-shakujii": "かみしゃくじい",
    "musashi-seki": "むさしせき",
    "higashi-fushimi": "ひがしふしみ",
    "seibu-yagisawa": "せいぶやぎさわ",
    "tanashi": "たなし",
    "hana-koganei": "はなこがねい",
    "kodaira": "こだいら",
    "nerima": "ねりま",
    "shakujii-koen": "しゃくじいこうえん",
    "oizumi-gakuen": "おおいずみがくえん",
    "hoya": "ほうや",
    "hibarigaoka": "ひばりがおか",
    "higashi-kurume": "ひがしくるめ",
}
