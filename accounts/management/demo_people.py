"""The demo's people: one coordinator, 36 students from a dozen countries and 20 host families
near Kichijōji, Mitaka and Musashi-Sakai, with complete profiles (``manage.py seed_demo``).

A person who exists is left as they are; every random draw happens whether or not the account
exists, so that the sequence (and so every other person's details) is the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.management.demo_wishes import with_home_facts, with_wishes
from accounts.models import Role, User
from accounts.services import coordinator_create, profile_save, user_register

DEMO_DOMAIN = "demo.engawa.example"
# One shared password for every demo account, printed by the command and in the README.
DEMO_PASSWORD = "veranda-demo-2026"  # noqa: S105 - public on purpose, demo only
COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"

NEAR_MUSASHINO = (
    "kichijoji",
    "mitaka",
    "musashi-sakai",
    "higashi-koganei",
    "musashi-koganei",
    "nishi-ogikubo",
    "ogikubo",
    "kokubunji",
    "tanashi",
    "hibarigaoka",
    "chofu",
    "kugayama",
    "inokashira-koen",
    "mitakadai",
    "higashi-fushimi",
    "musashi-seki",
    "shin-koganei",
    "kami-shakujii",
    "asagaya",
    "koenji",
)
INTERESTS = (
    "cooking",
    "tea-ceremony",
    "calligraphy",
    "origami",
    "anime-manga",
    "music",
    "karaoke",
    "hiking",
    "cycling",
    "football",
    "baseball",
    "gardening",
    "photography",
    "temples-shrines",
    "festivals",
    "video-games",
    "reading",
    "movies",
    "board-games",
    "children",
    "pets",
    "traditional-crafts",
    "kimono",
    "onsen",
    "art-museums",
    "running",
    "volunteering",
    "local-history",
    "cafes",
    "baking",
    "japanese-language",
    "nature-parks",
)
SCHOOLS = (
    "Asia University",
    "Seikei University",
    "Tokyo Woman's Christian University",
    "International Christian University (ICU)",
    "Tokyo University of Agriculture and Technology",
    "Tokyo Gakugei University",
    "Musashino University",
    "Japanese language school, Kichijōji",
    "Japanese language school, Mitaka",
)


@dataclass(frozen=True)
class Student:
    local: str  # the e-mail's local part
    name: str
    nationality: str
    gender: str
    native: str
    diet: tuple[str, ...]
    bio: str
    preferred_language: str = "en"


STUDENTS = (
    Student("lan.nguyen", "Nguyễn Thị Lan", "VN", "female", "vi", (),
            "ベトナムのハノイから来ました。日本の家庭料理を習いたいです。"
            " From Hanoi; I would love to learn Japanese home cooking.", "ja"),
    Student("duc.tran", "Trần Minh Đức", "VN", "male", "vi", (),
            "Economics student who plays football every weekend. サッカーが好きです。"),
    Student("ha.pham", "Phạm Thu Hà", "VN", "female", "vi", ("no_alcohol",),
            "I draw manga in my free time and want to see a Japanese festival."),
    Student("huy.le", "Lê Quang Huy", "VN", "male", "vi", (),
            "エンジニアを目指しています。I like cycling along the Tamagawa Jōsui.", "ja"),
    Student("fang.wang", "王芳 (Wang Fang)", "CN", "female", "zh", (),
            "来自成都。I study education and love calligraphy and tea.", "ja"),
    Student("wei.li", "李伟 (Li Wei)", "CN", "male", "zh", (),
            "Graduate student in agriculture; I grow tomatoes on my balcony."),
    Student("jing.chen", "陈静 (Chen Jing)", "CN", "female", "zh", ("vegetarian",),
            "素食者です。I am vegetarian and enjoy photography in parks."),
    Student("lei.zhang", "张磊 (Zhang Lei)", "CN", "male", "zh", (),
            "Board games, shogi and long walks. 将棋を勉強中です。", "ja"),
    Student("bishal.thapa", "Bishal Thapa", "NP", "male", "ne", ("no_beef",),
            "From Pokhara, Nepal. I work part-time at a curry shop in Kichijōji."),
    Student("sabina.gurung", "Sabina Gurung", "NP", "female", "ne", ("no_beef",),
            "ネパールから来ました。I like hiking and would love to see Mt. Takao.", "ja"),
    Student("anish.shrestha", "Anish Shrestha", "NP", "male", "ne", ("no_beef", "no_pork"),
            "IT student; I can teach a little Nepali cooking in return."),
    Student("minjun.kim", "김민준 (Kim Min-jun)", "KR", "male", "ko", (),
            "Baseball fan from Busan. 野球観戦が趣味です。", "ja"),
    Student("seoyeon.lee", "이서연 (Lee Seo-yeon)", "KR", "female", "ko", (),
            "I study Japanese literature and love small bookshops and cafés."),
    Student("jiho.park", "박지호 (Park Ji-ho)", "KR", "unspecified", "ko", (),
            "Music and karaoke; I play the guitar a little."),
    Student("putri.lestari", "Putri Lestari", "ID", "female", "id", ("halal",),
            "Dari Bandung. I eat halal food and would like to try making onigiri."),
    Student("rizki.muhammad", "Muhammad Rizki", "ID", "male", "id", ("halal", "no_alcohol"),
            "Mechanical engineering student; I like cycling and football."),
    Student("dewi.anggraini", "Dewi Anggraini", "ID", "female", "id", ("halal",),
            "ハラール食をお願いします。I love origami and children.", "ja"),
    Student("maria.santos", "Maria Santos", "PH", "female", "tl", (),
            "Nursing student from Cebu; I sing at church and love karaoke."),
    Student("joshua.reyes", "Joshua Reyes", "PH", "male", "tl", (),
            "Basketball, anime and street food. よろしくお願いします!"),
    Student("emily.carter", "Emily Carter", "US", "female", "en", (),
            "Exchange student from Oregon studying Japanese history and temples."),
    Student("daniel.kim", "Daniel Kim", "US", "male", "en", (),
            "Korean-American from Los Angeles; I want to practise keigo."),
    Student("hannah.goldberg", "Hannah Goldberg", "US", "female", "en", ("kosher",),
            "I keep kosher, so simple vegetable and fish dishes are best for me."),
    Student("camille.dubois", "Camille Dubois", "FR", "female", "fr", ("vegetarian",),
            "Végétarienne, de Lyon. I love gardens, baking and Ghibli films."),
    Student("theo.martin", "Théo Martin", "FR", "male", "fr", (),
            "Photography and running; I run around Inokashira Park every morning."),
    Student("lucas.oliveira", "Lucas Oliveira", "BR", "male", "pt", (),
            "From São Paulo, with Japanese-Brazilian grandparents. 祖父母は日系です。", "ja"),
    Student("beatriz.costa", "Beatriz Costa", "BR", "female", "pt", ("vegan",),
            "Vegan and happy to cook for everyone. I dance samba and forró."),
    Student("nimal.perera", "Nimal Perera", "LK", "male", "si", ("no_beef",),
            "From Kandy; I study environmental science and love nature parks."),
    Student("tharushi.fernando", "Tharushi Fernando", "LK", "female", "si", ("no_beef",),
            "スリランカの紅茶を持っていきます。I will bring Ceylon tea!", "ja"),
    Student("aung.kyaw", "Aung Kyaw Min", "MM", "male", "my", (),
            "From Yangon; I study at a language school and volunteer at a temple."),
    Student("thandar.win", "Thandar Win", "MM", "female", "my", (),
            "I like traditional crafts and want to try wearing a yukata."),
    Student("batbayar.ganbold", "Batbayar Ganbold", "MN", "male", "mn", (),
            "From Ulaanbaatar; I wrestle and ride horses. 相撲が大好きです。"),
    Student("enkhjin.bold", "Enkhjin Bold", "MN", "female", "mn", (),
            "International relations student; I enjoy museums and reading."),
    Student("arjun.sharma", "Arjun Sharma", "IN", "male", "hi", ("vegetarian", "no_alcohol"),
            "Vegetarian from Jaipur, doing a PhD in computer science."),
    Student("aisyah.nurul", "Nurul Aisyah", "MY", "female", "ms", ("halal",),
            "From Penang; I eat halal and love baking kuih for friends."),
    Student("pimchanok.srisuk", "Pimchanok Srisuk", "TH", "female", "th", (),
            "タイのチェンマイ出身です。I love cafés, kimono and festivals.", "ja"),
    Student("dilshod.karimov", "Dilshod Karimov", "UZ", "male", "uz", ("halal",),
            "From Samarkand; I study architecture and love old temples."),
)  # fmt: skip


@dataclass(frozen=True)
class Family:
    local: str
    contact: str  # the account holder's name
    household: str
    station: str
    address: str
    phone: str
    size: int
    children: bool
    pets: tuple[str, ...]
    smoking: bool
    diets: tuple[str, ...]
    allergens: tuple[str, ...]
    english: str  # the family's English level, "" for none
    preference: str
    bio: str
    preferred_language: str = "ja"


FAMILIES = (
    Family("sato", "佐藤 花子", "佐藤家 / the Sato family", "kichijoji",
           "東京都武蔵野市吉祥寺本町2-14-3", "0422-20-1401", 4, True, ("dog",), False,
           ("vegetarian", "no_pork", "no_alcohol"), ("egg", "milk", "peanut"), "intermediate",
           "any",
           "柴犬のコタロウと暮らす四人家族です。週末は井の頭公園を散歩します。"
           " A family of four with a Shiba dog, Kotarō; we walk in Inokashira Park on weekends."),
    Family("suzuki", "鈴木 健一", "鈴木家 / the Suzuki family", "mitaka",
           "東京都三鷹市下連雀3-8-12", "0422-41-2208", 3, True, (), False,
           ("halal", "no_pork", "no_alcohol", "vegetarian"), ("egg", "shrimp", "crab"),
           "beginner", "any",
           "小学生の娘がいます。ハラール対応の料理も作れます。"
           " We have a daughter in primary school and can cook halal meals."),
    Family("takahashi", "高橋 由美子", "高橋家 / the Takahashi family", "musashi-sakai",
           "東京都武蔵野市境南町1-21-5", "0422-31-3315", 2, False, ("cat",), False,
           ("vegetarian", "vegan", "no_beef"), ("milk", "wheat", "walnut"), "advanced",
           "female",
           "夫婦二人と猫一匹。元英語教師で、茶道を教えています。"
           " A retired couple with a cat; Yumiko taught English and now teaches tea ceremony."),
    Family("tanaka", "田中 誠", "田中家 / the Tanaka family", "nishi-ogikubo",
           "東京都杉並区西荻北4-2-9", "03-3390-4127", 5, True, (), True,
           ("no_beef",), ("buckwheat",), "beginner", "male",
           "にぎやかな五人家族。父はベランダでたばこを吸います。"
           " A lively family of five; the father smokes on the balcony."),
    Family("ito", "伊藤 さやか", "伊藤家 / the Ito family", "higashi-koganei",
           "東京都小金井市梶野町5-3-18", "042-381-5210", 3, True, ("other",), False,
           ("vegetarian", "halal", "kosher", "no_pork", "no_beef", "no_alcohol"),
           ("egg", "milk", "wheat", "peanut", "soy"), "intermediate", "any",
           "うさぎを飼っています。アレルギー対応の料理が得意です。"
           " We keep a rabbit, and we are used to cooking around allergies."),
    Family("watanabe", "渡辺 浩", "渡辺家 / the Watanabe family", "musashi-koganei",
           "東京都小金井市本町2-11-4", "042-383-6622", 2, False, (), False,
           ("no_pork", "no_alcohol"), ("fish", "sesame"), "", "any",
           "定年後、そば打ちと書道を楽しんでいます。"
           " Retired; we enjoy making soba and calligraphy."),
    Family("yamamoto", "山本 直子", "山本家 / the Yamamoto family", "kokubunji",
           "東京都国分寺市本町3-6-20", "042-321-7018", 4, True, ("dog", "cat"), False,
           ("vegetarian",), ("egg",), "intermediate", "female",
           "犬と猫がいる家です。娘たちはアニメとダンスが大好き。"
           " A house with a dog and a cat; our daughters love anime and dance."),
    Family("nakamura", "中村 大輔", "中村家 / the Nakamura family", "mitakadai",
           "東京都三鷹市井の頭1-30-7", "0422-45-8134", 3, True, (), False,
           ("halal", "no_pork", "vegetarian", "vegan"), ("peanut", "walnut", "shrimp"),
           "advanced", "any",
           "海外駐在の経験があり、英語で話せます。"
           " We lived in Singapore for five years and speak English at home sometimes."),
    Family("kobayashi", "小林 恵", "小林家 / the Kobayashi family", "inokashira-koen",
           "東京都三鷹市井の頭4-1-15", "0422-47-9061", 2, False, (), False,
           ("vegetarian", "vegan", "kosher", "no_alcohol"), ("milk", "egg"), "intermediate",
           "any",
           "公園のそばの小さな家。着物の着付けができます。"
           " A small house by the park; Megumi can help you put on a kimono."),
    Family("kato", "加藤 隆", "加藤家 / the Kato family", "kugayama",
           "東京都杉並区久我山2-19-2", "03-3334-1182", 4, True, ("dog",), False,
           ("no_pork",), ("buckwheat", "peanut"), "beginner", "male",
           "野球チームのコーチをしています。一緒に試合を見ましょう。"
           " Takashi coaches a children's baseball team; let's watch a game together."),
    Family("yoshida", "吉田 美穂", "吉田家 / the Yoshida family", "tanashi",
           "東京都西東京市田無町4-7-11", "042-461-2245", 3, True, (), False,
           ("vegetarian", "halal", "no_beef"), ("egg", "milk", "wheat"), "", "female",
           "パン作りが趣味です。一緒に焼きましょう。"
           " Baking is our hobby; we would love to bake bread together."),
    Family("yamada", "山田 和夫", "山田家 / the Yamada family", "hibarigaoka",
           "東京都西東京市ひばりが丘2-5-9", "042-422-3378", 6, True, (), True,
           ("no_alcohol",), (), "", "any",
           "三世代で暮らしています。祖父は庭で喫煙します。"
           " Three generations under one roof; grandfather smokes in the garden."),
    Family("sasaki", "佐々木 里美", "佐々木家 / the Sasaki family", "musashi-seki",
           "東京都練馬区関町北2-28-6", "03-3920-4459", 3, True, ("cat",), False,
           ("vegetarian", "no_pork", "no_beef"), ("shrimp", "crab", "fish"), "intermediate",
           "any",
           "猫が二匹います。石神井公園でよくピクニックをします。"
           " Two cats; we often picnic in Shakujii Park."),
    Family("matsumoto", "松本 拓也", "松本家 / the Matsumoto family", "higashi-fushimi",
           "東京都西東京市東伏見3-4-13", "042-463-5590", 4, True, (), False,
           ("halal", "no_pork", "no_alcohol"), ("egg", "soy"), "advanced", "any",
           "アイスホッケーとサッカーが好きなスポーツ一家です。"
           " A sporty family who love ice hockey and football."),
    Family("inoue", "井上 香織", "井上家 / the Inoue family", "chofu",
           "東京都調布市布田1-36-8", "042-482-6671", 3, False, ("dog",), False,
           ("vegetarian", "vegan"), ("milk", "wheat", "sesame"), "intermediate", "female",
           "映画の街・調布に住んでいます。深大寺そばを食べに行きましょう。"
           " We live in Chōfu, the film town; let's eat soba at Jindaiji."),
    Family("kimura", "木村 修", "木村家 / the Kimura family", "ogikubo",
           "東京都杉並区荻窪5-12-3", "03-3391-7784", 2, False, (), False,
           ("no_pork", "no_beef", "no_alcohol", "kosher"), ("peanut", "walnut"), "advanced",
           "any",
           "ラーメン好きの夫婦です。荻窪の名店を案内します。"
           " A ramen-loving couple; we will show you Ogikubo's famous shops."),
    Family("hayashi", "林 美咲", "林家 / the Hayashi family", "kichijoji",
           "東京都武蔵野市吉祥寺東町1-9-21", "0422-22-8807", 4, True, (), False,
           ("vegetarian", "halal", "no_pork"), ("egg", "milk", "buckwheat"), "beginner", "any",
           "子どもたちは折り紙と工作が得意です。"
           " Our children are great at origami and crafts."),
    Family("shimizu", "清水 正樹", "清水家 / the Shimizu family", "shin-koganei",
           "東京都小金井市東町4-40-2", "042-384-9923", 3, True, ("dog",), False,
           ("no_beef",), ("shrimp",), "", "male",
           "野川沿いを自転車で走るのが好きです。"
           " We love cycling along the Nogawa river."),
    Family("yamazaki", "山崎 陽子", "山崎家 / the Yamazaki family", "kichijoji",
           "東京都武蔵野市御殿山1-6-14", "0422-43-1036", 2, False, (), False,
           ("vegetarian", "vegan", "halal", "no_pork", "no_alcohol"),
           ("egg", "milk", "wheat", "buckwheat", "peanut", "shrimp", "crab"), "advanced", "any",
           "精進料理の教室を開いています。どんな食事制限にも対応します。"
           " Yōko runs a Buddhist vegetarian cooking class and caters for any diet."),
    Family("mori", "森 健太", "森家 / the Mori family", "musashi-sakai",
           "東京都武蔵野市境2-3-25", "0422-52-1148", 5, True, ("cat", "dog"), False,
           ("no_pork",), ("egg",), "beginner", "any",
           "犬も猫もいる大家族です。お祭りの季節が大好き。"
           " A big family with a dog and a cat; we love festival season."),
)  # fmt: skip


def _verified(user: User) -> User:
    """A demo account seeded before addresses were verified gets its address confirmed."""
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def _coordinator() -> User:
    existing = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if existing is not None:
        return _verified(existing)
    return coordinator_create(
        email=COORDINATOR_EMAIL, name="木村 さくら (Sakura Kimura)", password=DEMO_PASSWORD
    )


def _student(rng: random.Random, s: Student) -> User:
    # Every draw happens whether or not the account exists, so that the sequence (and so
    # every other person's details) is the same on every run.
    ja_level = rng.choice(("beginner", "beginner", "intermediate", "intermediate", "advanced"))
    en_level = rng.choice(("intermediate", "advanced", "advanced", "beginner"))
    allergies = sorted(
        rng.sample(("cat", "dog", "egg", "milk", "shrimp", "peanut", "buckwheat", "wheat"), 1)
    ) if rng.random() < 0.3 else []  # fmt: skip
    profile = {
        "nationality": s.nationality,
        "gender": s.gender,
        "birth_year": rng.randint(1995, 2006),
        "school": rng.choice(SCHOOLS),
        "languages": [{"code": s.native, "level": "native"}]
        + ([] if s.native == "en" else [{"code": "en", "level": en_level}])
        + [{"code": "ja", "level": ja_level}],
        "diet": list(s.diet),
        "allergies": allergies,
        "needs_non_smoking": rng.random() < 0.6,
        "interests": sorted(rng.sample(INTERESTS, rng.randint(3, 5))),
        "home_station": rng.choice(NEAR_MUSASHINO),
        "max_travel_minutes": rng.choice((30, 45, 45, 60, 60, 60, 75, 90)),
        "bio": s.bio,
    }
    return _person(
        email=f"{s.local}@{DEMO_DOMAIN}",
        role=Role.STUDENT,
        name=s.name,
        preferred_language=s.preferred_language,
        profile=with_wishes(s.local, profile),
    )


def _person(
    *, email: str, role: str, name: str, preferred_language: str, profile: dict[str, Any]
) -> User:
    """The demo account with this address; registered with its profile the first time, so
    that a second run changes nothing."""
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return _verified(existing)
    user = user_register(
        email=email,
        password=DEMO_PASSWORD,
        role=role,
        name=name,
        preferred_language=preferred_language,
        email_verified=True,
    )
    profile_save(user=user, data=profile, partial=False)
    return user


def _family(rng: random.Random, f: Family) -> User:
    languages = [{"code": "ja", "level": "native"}]
    if f.english:
        languages.append({"code": "en", "level": f.english})
    if rng.random() < 0.2:
        languages.append({"code": rng.choice(("zh", "ko", "fr", "es")), "level": "beginner"})
    profile = {
        "household_name": f.household,
        "household_size": f.size,
        "has_children": f.children,
        "languages": languages,
        "pets": list(f.pets),
        "smoking": f.smoking,
        "diets_supported": list(f.diets),
        "allergens_avoidable": list(f.allergens),
        "interests": sorted(rng.sample(INTERESTS, rng.randint(3, 5))),
        "home_station": f.station,
        "guest_gender_preference": f.preference,
        "address": f.address,
        "phone": f.phone,
        "bio": f.bio,
    }
    return _person(
        email=f"{f.local}.family@{DEMO_DOMAIN}",
        role=Role.HOST,
        name=f.contact,
        preferred_language=f.preferred_language,
        profile=with_home_facts(f.local, profile),
    )


def _demo_count() -> int:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count()


def people_seed(
    rng: random.Random, say: Callable[[str], None]
) -> tuple[User, list[User], list[User]]:
    """The coordinator, the students and the families (in the order of ``STUDENTS`` and
    ``FAMILIES``). Reports through ``say`` after the students and after the families (each
    new account costs a password hash: these are the slow stages)."""
    before = _demo_count()
    coordinator = _coordinator()
    students = [_student(rng, s) for s in STUDENTS]
    middle = _demo_count()
    say(f"people: 1 coordinator and {len(students)} students ({middle - before} new)")
    families = [_family(rng, f) for f in FAMILIES]
    say(f"people: {len(families)} host families ({_demo_count() - middle} new)")
    return coordinator, students, families
