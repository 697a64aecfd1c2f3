"""Bilingual (Japanese/English) reference data. Data migrations load the lookup tables
(languages, stations, diets, allergens, interests); the rest (levels, genders, the weekly
time-slot grid) are fixed vocabularies read from here."""

from __future__ import annotations

from typing import Literal, NamedTuple

# The stations are a module of their own (the longest table); they are part of this data.
from accounts.reference_stations import STATIONS, Station

# ---------------------------------------------------------------------------
# Record types. NamedTuples: immutable, typed, and both unpackable and attribute-accessible.
# Field names match the ``BilingualLabel`` models (``name_ja`` / ``name_en``).
# ---------------------------------------------------------------------------


class Language(NamedTuple):
    """A spoken language, keyed by its ISO 639-1 code."""

    code: str
    name_ja: str
    name_en: str


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
