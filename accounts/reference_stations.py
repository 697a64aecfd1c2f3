"""The railway stations of the reference data (``accounts.reference_data`` re-exports them): a
data migration loads them into the Station table, and the matcher estimates travel time from
their coordinates."""

from __future__ import annotations

from typing import NamedTuple


class Station(NamedTuple):
    """A railway station; coordinates are WGS84 degrees (4 decimals, ~10 m)."""

    slug: str
    name_ja: str
    name_en: str
    latitude: float
    longitude: float
    lines_en: tuple[str, ...]

    @property
    def lines_text(self) -> str:
        """The lines as one comma-separated string (for a CharField)."""
        return ", ".join(self.lines_en)


# ---------------------------------------------------------------------------
# Stations used by people living in and around Musashino (Musashino, Mitaka,
# Koganei, Nishitokyo, Kokubunji, Chofu, Fuchu, Suginami, Nerima), plus Shinjuku
# and Shibuya. The matcher estimates travel time from these coordinates.
# ---------------------------------------------------------------------------

_CHUO = "JR Chūō Line (Rapid)"
_SOBU = "JR Chūō-Sōbu Line"
_INOKASHIRA = "Keiō Inokashira Line"
_KEIO = "Keiō Line"
_SEIBU_SHINJUKU = "Seibu Shinjuku Line"
_SEIBU_IKEBUKURO = "Seibu Ikebukuro Line"
_SEIBU_TAMAGAWA = "Seibu Tamagawa Line"
_MUSASHINO = "JR Musashino Line"
_NAMBU = "JR Nambu Line"

STATIONS: tuple[Station, ...] = (
    # JR Chūō Line, east to west
    Station(
        "shinjuku",
        "新宿",
        "Shinjuku",
        35.6896,
        139.7006,
        (
            _CHUO,
            _SOBU,
            "JR Yamanote Line",
            "Keiō Line",
            "Odakyū Line",
            "Tokyo Metro Marunouchi Line",
            "Toei Shinjuku Line",
            "Toei Ōedo Line",
        ),
    ),
    Station(
        "nakano", "中野", "Nakano", 35.7056, 139.6657, (_CHUO, _SOBU, "Tokyo Metro Tōzai Line")
    ),
    Station("koenji", "高円寺", "Kōenji", 35.7054, 139.6497, (_CHUO, _SOBU)),
    Station("asagaya", "阿佐ケ谷", "Asagaya", 35.7048, 139.6357, (_CHUO, _SOBU)),
    Station(
        "ogikubo",
        "荻窪",
        "Ogikubo",
        35.7046,
        139.6200,
        (_CHUO, _SOBU, "Tokyo Metro Marunouchi Line"),
    ),
    Station("nishi-ogikubo", "西荻窪", "Nishi-Ogikubo", 35.7036, 139.5994, (_CHUO, _SOBU)),
    Station("kichijoji", "吉祥寺", "Kichijōji", 35.7030, 139.5795, (_CHUO, _SOBU, _INOKASHIRA)),
    Station("mitaka", "三鷹", "Mitaka", 35.7027, 139.5607, (_CHUO, _SOBU)),
    Station(
        "musashi-sakai", "武蔵境", "Musashi-Sakai", 35.7021, 139.5434, (_CHUO, _SEIBU_TAMAGAWA)
    ),
    Station("higashi-koganei", "東小金井", "Higashi-Koganei", 35.7015, 139.5245, (_CHUO,)),
    Station("musashi-koganei", "武蔵小金井", "Musashi-Koganei", 35.7011, 139.5065, (_CHUO,)),
    Station(
        "kokubunji",
        "国分寺",
        "Kokubunji",
        35.7001,
        139.4804,
        (_CHUO, "Seibu Kokubunji Line", "Seibu Tamako Line"),
    ),
    Station(
        "nishi-kokubunji", "西国分寺", "Nishi-Kokubunji", 35.6997, 139.4658, (_CHUO, _MUSASHINO)
    ),
    Station("kunitachi", "国立", "Kunitachi", 35.6989, 139.4463, (_CHUO,)),
    Station(
        "tachikawa",
        "立川",
        "Tachikawa",
        35.6980,
        139.4137,
        (_CHUO, _NAMBU, "JR Ōme Line", "Tama Monorail"),
    ),
    # Keiō Inokashira Line, east to west
    Station(
        "shibuya",
        "渋谷",
        "Shibuya",
        35.6580,
        139.7016,
        (
            _INOKASHIRA,
            "JR Yamanote Line",
            "Tōkyū Tōyoko Line",
            "Tōkyū Den-en-toshi Line",
            "Tokyo Metro Ginza Line",
            "Tokyo Metro Hanzōmon Line",
            "Tokyo Metro Fukutoshin Line",
        ),
    ),
    Station(
        "shimokitazawa",
        "下北沢",
        "Shimokitazawa",
        35.6614,
        139.6680,
        (_INOKASHIRA, "Odakyū Odawara Line"),
    ),
    Station("meidaimae", "明大前", "Meidaimae", 35.6686, 139.6506, (_INOKASHIRA, _KEIO)),
    Station("eifukucho", "永福町", "Eifukuchō", 35.6760, 139.6429, (_INOKASHIRA,)),
    Station("hamadayama", "浜田山", "Hamadayama", 35.6817, 139.6273, (_INOKASHIRA,)),
    Station("takaido", "高井戸", "Takaido", 35.6834, 139.6153, (_INOKASHIRA,)),
    Station("fujimigaoka", "富士見ヶ丘", "Fujimigaoka", 35.6850, 139.6072, (_INOKASHIRA,)),
    Station("kugayama", "久我山", "Kugayama", 35.6882, 139.5994, (_INOKASHIRA,)),
    Station("mitakadai", "三鷹台", "Mitakadai", 35.6918, 139.5889, (_INOKASHIRA,)),
    Station("inokashira-koen", "井の頭公園", "Inokashira-kōen", 35.6975, 139.5828, (_INOKASHIRA,)),
    # Keiō Line, east to west
    Station("chitose-karasuyama", "千歳烏山", "Chitose-Karasuyama", 35.6675, 139.6006, (_KEIO,)),
    Station("sengawa", "仙川", "Sengawa", 35.6622, 139.5847, (_KEIO,)),
    Station("tsutsujigaoka", "つつじヶ丘", "Tsutsujigaoka", 35.6578, 139.5752, (_KEIO,)),
    Station("shibasaki", "柴崎", "Shibasaki", 35.6540, 139.5666, (_KEIO,)),
    Station("kokuryo", "国領", "Kokuryō", 35.6503, 139.5578, (_KEIO,)),
    Station("chofu", "調布", "Chōfu", 35.6519, 139.5441, (_KEIO, "Keiō Sagamihara Line")),
    Station("tobitakyu", "飛田給", "Tobitakyū", 35.6602, 139.5236, (_KEIO,)),
    Station("tama-reien", "多磨霊園", "Tama-Reien", 35.6661, 139.5027, (_KEIO,)),
    Station("higashi-fuchu", "東府中", "Higashi-Fuchū", 35.6686, 139.4957, (_KEIO,)),
    Station("fuchu", "府中", "Fuchū", 35.6721, 139.4800, (_KEIO,)),
    Station(
        "fuchu-hommachi", "府中本町", "Fuchū-Hommachi", 35.6658, 139.4770, (_MUSASHINO, _NAMBU)
    ),
    # Seibu Tamagawa Line (from Musashi-Sakai)
    Station("shin-koganei", "新小金井", "Shin-Koganei", 35.6957, 139.5267, (_SEIBU_TAMAGAWA,)),
    Station("tama", "多磨", "Tama", 35.6778, 139.5177, (_SEIBU_TAMAGAWA,)),
    # Seibu Shinjuku Line, east to west
    Station("kami-igusa", "上井草", "Kami-Igusa", 35.7253, 139.6029, (_SEIBU_SHINJUKU,)),
    Station("kami-shakujii", "上石神井", "Kami-Shakujii", 35.7261, 139.5923, (_SEIBU_SHINJUKU,)),
    Station("musashi-seki", "武蔵関", "Musashi-Seki", 35.7271, 139.5767, (_SEIBU_SHINJUKU,)),
    Station("higashi-fushimi", "東伏見", "Higashi-Fushimi", 35.7285, 139.5636, (_SEIBU_SHINJUKU,)),
    Station("seibu-yagisawa", "西武柳沢", "Seibu-Yagisawa", 35.7263, 139.5528, (_SEIBU_SHINJUKU,)),
    Station("tanashi", "田無", "Tanashi", 35.7273, 139.5394, (_SEIBU_SHINJUKU,)),
    Station("hana-koganei", "花小金井", "Hana-Koganei", 35.7263, 139.5135, (_SEIBU_SHINJUKU,)),
    Station(
        "kodaira",
        "小平",
        "Kodaira",
        35.7285,
        139.4893,
        (_SEIBU_SHINJUKU, "Seibu Haijima Line"),
    ),
    # Seibu Ikebukuro Line, east to west
    Station(
        "nerima",
        "練馬",
        "Nerima",
        35.7376,
        139.6541,
        (_SEIBU_IKEBUKURO, "Seibu Yūrakuchō Line", "Seibu Toshima Line", "Toei Ōedo Line"),
    ),
    Station("shakujii-koen", "石神井公園", "Shakujii-kōen", 35.7436, 139.6066, (_SEIBU_IKEBUKURO,)),
    Station("oizumi-gakuen", "大泉学園", "Ōizumi-gakuen", 35.7496, 139.5866, (_SEIBU_IKEBUKURO,)),
    Station("hoya", "保谷", "Hōya", 35.7482, 139.5667, (_SEIBU_IKEBUKURO,)),
    Station("hibarigaoka", "ひばりヶ丘", "Hibarigaoka", 35.7513, 139.5456, (_SEIBU_IKEBUKURO,)),
    Station("higashi-kurume", "東久留米", "Higashi-Kurume", 35.7581, 139.5297, (_SEIBU_IKEBUKURO,)),
)
