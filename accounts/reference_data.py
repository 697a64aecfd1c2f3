"""Bilingual (Japanese/English) reference data. Data migrations load the lookup tables
(languages, stations, diets, allergens, interests); the rest (levels, genders, the weekly
time-slot grid) are fixed vocabularies read from here."""

from __future__ import annotations

from typing import Literal, NamedTuple

# ---------------------------------------------------------------------------
# Record types. NamedTuples: immutable, typed, and both unpackable and attribute-accessible.
# Field names match the ``BilingualLabel`` models (``name_ja`` / ``name_en``).
# ---------------------------------------------------------------------------


class Language(NamedTuple):
    """A spoken language, keyed by its ISO 639-1 code."""

    code: str
    name_ja: str
    name_en: str


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


class Choice(NamedTuple):
    """A simple coded choice with Japanese and English labels."""

    code: str
    name_ja: str
    name_en: str


AllergenKind = Literal["food", "pet"]


class Allergen(NamedTuple):
    """Something a person reacts to: a food ingredient or an animal."""

    code: str
    name_ja: str
    name_en: str
    kind: AllergenKind


class Interest(NamedTuple):
    """A hobby or topic hosts and students can share."""

    slug: str
    name_ja: str
    name_en: str


class WeeklySlot(NamedTuple):
    """A weekly time slot: a weekday and a part of that day, coded ``<weekday>-<part>``."""

    code: str
    weekday: str
    part: str
    name_ja: str
    name_en: str


class Level(NamedTuple):
    """A language proficiency level; ``rank`` orders levels from 0 (lowest) to 3."""

    code: str
    name_ja: str
    name_en: str
    rank: int


# ---------------------------------------------------------------------------
# Languages (ISO 639-1). The first block covers the languages most spoken among
# foreign residents of Japan; the rest round out what students commonly list.
# ---------------------------------------------------------------------------

LANGUAGES: tuple[Language, ...] = (
    Language("ja", "日本語", "Japanese"),
    Language("en", "英語", "English"),
    Language("zh", "中国語", "Chinese"),
    Language("ko", "韓国語", "Korean"),
    Language("vi", "ベトナム語", "Vietnamese"),
    Language("tl", "フィリピノ語・タガログ語", "Filipino (Tagalog)"),
    Language("pt", "ポルトガル語", "Portuguese"),
    Language("ne", "ネパール語", "Nepali"),
    Language("id", "インドネシア語", "Indonesian"),
    Language("th", "タイ語", "Thai"),
    Language("my", "ミャンマー語", "Burmese"),
    Language("es", "スペイン語", "Spanish"),
    Language("hi", "ヒンディー語", "Hindi"),
    Language("si", "シンハラ語", "Sinhala"),
    Language("bn", "ベンガル語", "Bengali"),
    Language("ur", "ウルドゥー語", "Urdu"),
    Language("fr", "フランス語", "French"),
    Language("de", "ドイツ語", "German"),
    Language("ru", "ロシア語", "Russian"),
    Language("uk", "ウクライナ語", "Ukrainian"),
    Language("mn", "モンゴル語", "Mongolian"),
    Language("km", "クメール語", "Khmer"),
    Language("lo", "ラオ語", "Lao"),
    Language("ms", "マレー語", "Malay"),
    Language("fa", "ペルシア語", "Persian"),
    Language("ar", "アラビア語", "Arabic"),
    Language("tr", "トルコ語", "Turkish"),
    Language("it", "イタリア語", "Italian"),
    Language("uz", "ウズベク語", "Uzbek"),
    Language("ta", "タミル語", "Tamil"),
    Language("pa", "パンジャブ語", "Punjabi"),
    Language("te", "テルグ語", "Telugu"),
    Language("ml", "マラヤーラム語", "Malayalam"),
    Language("mr", "マラーティー語", "Marathi"),
    Language("gu", "グジャラート語", "Gujarati"),
    Language("kk", "カザフ語", "Kazakh"),
    Language("ky", "キルギス語", "Kyrgyz"),
    Language("ps", "パシュトー語", "Pashto"),
    Language("am", "アムハラ語", "Amharic"),
    Language("sw", "スワヒリ語", "Swahili"),
    Language("nl", "オランダ語", "Dutch"),
    Language("pl", "ポーランド語", "Polish"),
    Language("sv", "スウェーデン語", "Swedish"),
    Language("el", "ギリシャ語", "Greek"),
    Language("he", "ヘブライ語", "Hebrew"),
    Language("ro", "ルーマニア語", "Romanian"),
)


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


# ---------------------------------------------------------------------------
# Food and household
# ---------------------------------------------------------------------------

DIETS: tuple[Choice, ...] = (
    Choice("vegetarian", "ベジタリアン", "Vegetarian"),
    Choice("vegan", "ヴィーガン", "Vegan"),
    Choice("halal", "ハラール", "Halal"),
    Choice("kosher", "コーシャ", "Kosher"),
    Choice("no_pork", "豚肉なし", "No pork"),
    Choice("no_beef", "牛肉なし", "No beef"),
    Choice("no_alcohol", "アルコールなし", "No alcohol"),
)

# What a diet brings with it: whoever keeps the first keeps the others, and a family that cooks
# the first can cater for them (a vegan kitchen hosts a vegetarian; halal food has no pork and
# no alcohol). The one table of these; the solver closes it transitively.
DIET_IMPLIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("vegan", ("vegetarian",)),
    ("vegetarian", ("no_pork", "no_beef")),
    ("halal", ("no_pork", "no_alcohol")),
    ("kosher", ("no_pork",)),
)

# The first eight are the mandatory labelling items (特定原材料) of Japan's Food
# Labelling Standard (walnut added in 2023, mandatory from April 2025); soy, fish and
# sesame come from the recommended list; the last five are household-pet allergens.
ALLERGENS: tuple[Allergen, ...] = (
    Allergen("egg", "卵", "Egg", "food"),
    Allergen("milk", "乳", "Milk", "food"),
    Allergen("wheat", "小麦", "Wheat", "food"),
    Allergen("buckwheat", "そば", "Buckwheat (soba)", "food"),
    Allergen("peanut", "落花生", "Peanut", "food"),
    Allergen("shrimp", "えび", "Shrimp", "food"),
    Allergen("crab", "かに", "Crab", "food"),
    Allergen("walnut", "くるみ", "Walnut", "food"),
    Allergen("soy", "大豆", "Soy", "food"),
    Allergen("fish", "魚", "Fish", "food"),
    Allergen("sesame", "ごま", "Sesame", "food"),
    Allergen("cat", "猫", "Cat", "pet"),
    Allergen("dog", "犬", "Dog", "pet"),
    Allergen("bird", "鳥", "Birds", "pet"),
    Allergen("rabbit", "うさぎ", "Rabbits", "pet"),
    Allergen(
        "small_animal", "ハムスターなどの小動物", "Small animals (hamsters and the like)", "pet"
    ),
)

PETS: tuple[Choice, ...] = (
    Choice("cat", "猫", "Cat"),
    Choice("dog", "犬", "Dog"),
    Choice("bird", "鳥", "Bird"),
    Choice("rabbit", "うさぎ", "Rabbit"),
    Choice("small_animal", "ハムスターなどの小動物", "Small animal (hamster and the like)"),
    Choice("other", "その他のペット", "Other pet"),
)


# ---------------------------------------------------------------------------
# Interests
# ---------------------------------------------------------------------------

INTERESTS: tuple[Interest, ...] = (
    Interest("cooking", "料理", "Cooking"),
    Interest("tea-ceremony", "茶道", "Tea ceremony"),
    Interest("calligraphy", "書道", "Calligraphy"),
    Interest("origami", "折り紙", "Origami"),
    Interest("anime-manga", "アニメ・マンガ", "Anime and manga"),
    Interest("music", "音楽", "Music"),
    Interest("karaoke", "カラオケ", "Karaoke"),
    Interest("hiking", "ハイキング・登山", "Hiking"),
    Interest("cycling", "サイクリング", "Cycling"),
    Interest("football", "サッカー", "Football (soccer)"),
    Interest("baseball", "野球", "Baseball"),
    Interest("gardening", "園芸・家庭菜園", "Gardening"),
    Interest("photography", "写真", "Photography"),
    Interest("temples-shrines", "寺社めぐり", "Temples and shrines"),
    Interest("festivals", "お祭り", "Festivals"),
    Interest("video-games", "ゲーム", "Video games"),
    Interest("reading", "読書", "Reading"),
    Interest("movies", "映画", "Movies"),
    Interest("board-games", "ボードゲーム", "Board games"),
    Interest("children", "子どもと遊ぶ", "Playing with children"),
    Interest("pets", "ペット・動物", "Pets and animals"),
    Interest("traditional-crafts", "伝統工芸", "Traditional crafts"),
    Interest("kimono", "着物", "Kimono"),
    Interest("onsen", "温泉", "Hot springs (onsen)"),
    Interest("fashion", "ファッション", "Fashion"),
    Interest("art-museums", "美術館めぐり", "Art museums"),
    Interest("running", "ランニング", "Running"),
    Interest("dance", "ダンス", "Dance"),
    Interest("volunteering", "ボランティア", "Volunteering"),
    Interest("technology", "テクノロジー", "Technology"),
    Interest("local-history", "郷土史", "Local history"),
    Interest("cafes", "カフェめぐり", "Cafés"),
    Interest("baking", "お菓子作り", "Baking"),
    Interest("martial-arts", "武道", "Martial arts"),
    Interest("japanese-language", "日本語の勉強", "Studying Japanese"),
    Interest("travel", "旅行", "Travel"),
    Interest("nature-parks", "自然・公園散策", "Nature and parks"),
    Interest("shogi-go", "将棋・囲碁", "Shogi and go"),
)


# ---------------------------------------------------------------------------
# Levels and genders
# ---------------------------------------------------------------------------

LEVELS: tuple[Level, ...] = (
    Level("beginner", "初級", "Beginner", 0),
    Level("intermediate", "中級", "Intermediate", 1),
    Level("advanced", "上級", "Advanced", 2),
    Level("native", "ネイティブ", "Native", 3),
)

GENDERS: tuple[Choice, ...] = (
    Choice("female", "女性", "Female"),
    Choice("male", "男性", "Male"),
    Choice("nonbinary", "ノンバイナリー", "Non-binary"),
    Choice("unspecified", "回答しない", "Prefer not to say"),
)

GUEST_GENDER_PREFERENCES: tuple[Choice, ...] = (
    Choice("any", "指定なし", "Any"),
    Choice("female", "女性の学生のみ", "Female students only"),
    Choice("male", "男性の学生のみ", "Male students only"),
)


# ---------------------------------------------------------------------------
# Weekly availability. A language-exchange application lists the times its applicant is
# free each week as codes of this grid, weekday x part of the day: ``sat-am``, ``mon-eve``
# (7 x 3 = 21 codes). The solver pairs only applicants who share a code, so every writer
# (the web form, the API, the demo data) takes its codes from here.
# ---------------------------------------------------------------------------

WEEKDAYS: tuple[Choice, ...] = (
    Choice("mon", "月曜日", "Monday"),
    Choice("tue", "火曜日", "Tuesday"),
    Choice("wed", "水曜日", "Wednesday"),
    Choice("thu", "木曜日", "Thursday"),
    Choice("fri", "金曜日", "Friday"),
    Choice("sat", "土曜日", "Saturday"),
    Choice("sun", "日曜日", "Sunday"),
)

DAY_PARTS: tuple[Choice, ...] = (
    Choice("am", "午前", "Morning"),
    Choice("pm", "午後", "Afternoon"),
    Choice("eve", "夜", "Evening"),
)

WEEKLY_SLOTS: tuple[WeeklySlot, ...] = tuple(
    WeeklySlot(
        f"{day.code}-{part.code}",
        day.code,
        part.code,
        f"{day.name_ja} {part.name_ja}",
        f"{day.name_en} {part.name_en}",
    )
    for day in WEEKDAYS
    for part in DAY_PARTS
)

WEEKLY_SLOT_CODES: frozenset[str] = frozenset(slot.code for slot in WEEKLY_SLOTS)

__all__ = [
    "ALLERGENS",
    "DAY_PARTS",
    "DIETS",
    "DIET_IMPLIES",
    "GENDERS",
    "GUEST_GENDER_PREFERENCES",
    "INTERESTS",
    "LANGUAGES",
    "LEVELS",
    "PETS",
    "STATIONS",
    "WEEKDAYS",
    "WEEKLY_SLOTS",
    "WEEKLY_SLOT_CODES",
    "Allergen",
    "AllergenKind",
    "Choice",
    "Interest",
    "Language",
    "Level",
    "Station",
    "WeeklySlot",
]
