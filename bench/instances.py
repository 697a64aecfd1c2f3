"""Seeded synthetic home-visit rounds shaped like the association's data (western Tokyo).

``make_problem(n_students, seed=...)`` returns a :class:`matching.solver.Problem`; tests and the
benchmark share it.  Proportions are rough guesses from the association's registration forms.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver.types import HostIn, Problem, StudentIn

# (name, lat, lon): Chuo line, Seibu Shinjuku / Ikebukuro lines, Keio main / Inokashira lines.
STATIONS: tuple[tuple[str, float, float], ...] = (
    ("Shinjuku", 35.6896, 139.7006),
    ("Okubo", 35.7006, 139.6973),
    ("Higashi-Nakano", 35.7066, 139.6838),
    ("Nakano", 35.7056, 139.6657),
    ("Koenji", 35.7052, 139.6496),
    ("Asagaya", 35.7048, 139.6358),
    ("Ogikubo", 35.7047, 139.6201),
    ("Nishi-Ogikubo", 35.7037, 139.5993),
    ("Kichijoji", 35.7030, 139.5795),
    ("Mitaka", 35.7027, 139.5607),
    ("Musashi-Sakai", 35.7022, 139.5435),
    ("Higashi-Koganei", 35.7010, 139.5249),
    ("Musashi-Koganei", 35.7010, 139.5067),
    ("Kokubunji", 35.7000, 139.4806),
    ("Nishi-Kokubunji", 35.6997, 139.4656),
    ("Kunitachi", 35.6990, 139.4465),
    ("Tachikawa", 35.6980, 139.4138),
    ("Takadanobaba", 35.7126, 139.7038),
    ("Ikebukuro", 35.7295, 139.7109),
    ("Saginomiya", 35.7226, 139.6388),
    ("Kami-Igusa", 35.7254, 139.6031),
    ("Kami-Shakujii", 35.7263, 139.5925),
    ("Higashi-Fushimi", 35.7287, 139.5638),
    ("Tanashi", 35.7274, 139.5397),
    ("Hana-Koganei", 35.7262, 139.5130),
    ("Kodaira", 35.7286, 139.4935),
    ("Nerima", 35.7378, 139.6543),
    ("Shakujii-Koen", 35.7436, 139.6065),
    ("Hibarigaoka", 35.7512, 139.5456),
    ("Higashi-Kurume", 35.7587, 139.5297),
    ("Meidaimae", 35.6685, 139.6504),
    ("Eifukucho", 35.6764, 139.6433),
    ("Kugayama", 35.6859, 139.5993),
    ("Mitakadai", 35.6921, 139.5893),
    ("Inokashira-Koen", 35.6997, 139.5750),
    ("Tsutsujigaoka", 35.6579, 139.5906),
    ("Sengawa", 35.6622, 139.5849),
    ("Chofu", 35.6519, 139.5444),
    ("Fuchu", 35.6720, 139.4800),
    ("Shin-Koganei", 35.6958, 139.5265),
)

# Students cluster around the universities of Musashino / Mitaka / Koganei / Kunitachi.
_STUDENT_HUBS = {
    "Kichijoji": 6,
    "Mitaka": 5,
    "Musashi-Sakai": 6,
    "Musashi-Koganei": 4,
    "Kunitachi": 3,
    "Takadanobaba": 3,
    "Shinjuku": 2,
    "Kokubunji": 3,
}

INTERESTS: tuple[tuple[str, float], ...] = (
    ("cooking", 0.40),
    ("anime", 0.30),
    ("travel", 0.30),
    ("music", 0.28),
    ("hiking", 0.15),
    ("temples", 0.15),
    ("festivals", 0.18),
    ("calligraphy", 0.08),
    ("tea_ceremony", 0.08),
    ("origami", 0.06),
    ("gardening", 0.10),
    ("photography", 0.14),
    ("games", 0.16),
    ("reading", 0.18),
    ("movies", 0.22),
    ("art", 0.12),
    ("history", 0.14),
    ("children", 0.10),
    ("karaoke", 0.10),
    ("baseball", 0.06),
    ("soccer", 0.10),
    ("fashion", 0.10),
    ("technology", 0.10),
    ("volunteering", 0.06),
    ("dance", 0.05),
    ("yoga", 0.05),
    ("fishing", 0.03),
    ("cycling", 0.07),
    ("manga", 0.20),
    ("sports", 0.15),
)
_NATIVE = (
    ("zh", 0.30),
    ("vi", 0.15),
    ("ko", 0.10),
    ("en", 0.12),
    ("ne", 0.05),
    ("id", 0.05),
    ("fr", 0.04),
    ("de", 0.03),
    ("es", 0.04),
    ("th", 0.04),
    ("my", 0.03),
    ("ms", 0.02),
    ("it", 0.01),
    ("pt", 0.02),
)
_LEVELS = ("beginner", "intermediate", "advanced", "native")
_FOOD = (
    "egg",
    "milk",
    "wheat",
    "buckwheat",
    "peanut",
    "shrimp",
    "crab",
    "walnut",
    "soy",
    "fish",
    "sesame",
)
_FOOD_P = (0.02, 0.02, 0.015, 0.01, 0.02, 0.025, 0.02, 0.01, 0.005, 0.01, 0.01)
DATE_LABELS = ("2027-01-17", "2027-01-24")


def _pick(rng: np.random.Generator, items: tuple[tuple[str, float], ...]) -> str:
    p = np.array([w for _, w in items])
    return items[int(rng.choice(len(items), p=p / p.sum()))][0]


def _interests(rng: np.random.Generator) -> tuple[str, ...]:
    p = np.array([w for _, w in INTERESTS])
    k = int(rng.integers(2, 7))
    idx = rng.choice(len(INTERESTS), size=k, replace=False, p=p / p.sum())
    return tuple(sorted(INTERESTS[i][0] for i in idx))


def _station(rng: np.random.Generator, hubs: dict[str, int] | None) -> tuple[float, float]:
    if hubs is not None and rng.random() < 0.6:
        names = list(hubs)
        w = np.array([hubs[x] for x in names], dtype=float)
        name = names[int(rng.choice(len(names), p=w / w.sum()))]
        st = next(s for s in STATIONS if s[0] == name)
    else:
        st = STATIONS[int(rng.integers(len(STATIONS)))]
    return st[1], st[2]


def make_student(rng: np.random.Generator, key: int, n_dates: int = 2) -> StudentIn:
    r = rng.random()
    dates = (0, 1) if r < 0.55 else ((0,) if r < 0.80 else (1,))
    dates = tuple(d for d in dates if d < n_dates) or (0,)
    gender = str(
        rng.choice(["female", "male", "nonbinary", "unspecified"], p=[0.50, 0.42, 0.03, 0.05])
    )
    native = _pick(rng, _NATIVE)
    langs = {native: "native"}
    if native != "en" and rng.random() < 0.75:
        langs["en"] = str(rng.choice(_LEVELS[:3], p=[0.3, 0.45, 0.25]))
    if rng.random() < 0.9:
        langs["ja"] = str(rng.choice(_LEVELS[:3], p=[0.35, 0.4, 0.25]))
    diet: list[str] = []
    r = rng.random()
    if r < 0.08:
        diet = ["halal"] + (["no_alcohol"] if rng.random() < 0.7 else [])
    elif r < 0.14:
        diet = ["vegetarian"]
    elif r < 0.16:
        diet = ["vegan"]
    elif r < 0.19:
        diet = ["no_pork"]
    elif r < 0.22:
        diet = ["no_beef"]
    elif r < 0.225:
        diet = ["kosher"]
    allergies = [a for a, p in (("cat", 0.06), ("dog", 0.04)) if rng.random() < p]
    allergies += [a for a, p in zip(_FOOD, _FOOD_P, strict=True) if rng.random() < p]
    lat, lon = _station(rng, _STUDENT_HUBS)
    return StudentIn(
        key=key,
        dates=dates,
        gender=gender,
        languages=langs,
        diet=tuple(diet),
        allergies=tuple(allergies),
        needs_non_smoking=bool(rng.random() < 0.7),
        interests=_interests(rng),
        lat=lat,
        lon=lon,
        max_travel_minutes=int(rng.choice([30, 45, 60, 90], p=[0.15, 0.35, 0.35, 0.15])),
        times_unplaced=int(rng.choice([0, 1, 2], p=[0.8, 0.15, 0.05])),
    )


def make_host(rng: np.random.Generator, key: int, n_dates: int = 2) -> HostIn:
    r = rng.random()
    days = (0, 1) if r < 0.4 else ((0,) if r < 0.7 else (1,))
    days = tuple(d for d in days if d < n_dates) or (0,)
    seats = {}
    for d in days:
        seats[d] = 0 if rng.random() < 0.03 else int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
    langs = {"ja": "native"}
    if rng.random() < 0.75:
        langs["en"] = str(rng.choice(_LEVELS[:3], p=[0.45, 0.4, 0.15]))
    for code in ("zh", "ko", "vi", "fr", "es"):
        if rng.random() < 0.04:
            langs[code] = str(rng.choice(_LEVELS, p=[0.4, 0.3, 0.2, 0.1]))
    diets = [
        d
        for d, p in (
            ("vegetarian", 0.45),
            ("vegan", 0.2),
            ("halal", 0.25),
            ("kosher", 0.05),
            ("no_pork", 0.6),
            ("no_beef", 0.6),
            ("no_alcohol", 0.8),
        )
        if rng.random() < p
    ]
    avoid = [a for a in _FOOD if rng.random() < 0.7]
    pets = [p for p, q in (("cat", 0.15), ("dog", 0.18), ("other", 0.08)) if rng.random() < q]
    size = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.1, 0.3, 0.2, 0.25, 0.1, 0.05]))
    lat, lon = _station(rng, None)
    return HostIn(
        key=key,
        seats=seats,
        languages=langs,
        pets=tuple(pets),
        smoking=bool(rng.random() < 0.08),
        diets_supported=tuple(diets),
        allergens_avoidable=tuple(avoid),
        interests=_interests(rng),
        lat=lat,
        lon=lon,
        guest_gender_preference=str(rng.choice(["any", "female", "male"], p=[0.65, 0.3, 0.05])),
        has_children=bool(size >= 3 and rng.random() < 0.6),
        household_size=size,
        times_hosted=int(rng.integers(0, 6)),
        times_unplaced=int(rng.choice([0, 1], p=[0.85, 0.15])),
    )


def make_problem(
    n_students: int,
    seed: int = 0,
    families_per_student: float = 0.55,
    mode: str = "optimal",
    n_dates: int = 2,
) -> Problem:
    """A seeded round: ``n_students`` students, ``round(0.55 n)`` families, two visit days."""
    rng = np.random.default_rng(seed)
    n_hosts = max(1, round(n_students * families_per_student))
    students = tuple(make_student(rng, 1_000_000 + i, n_dates) for i in range(n_students))
    hosts = tuple(make_host(rng, 2_000_000 + j, n_dates) for j in range(n_hosts))
    return Problem(
        students=students,
        hosts=hosts,
        date_labels=DATE_LABELS[:n_dates],
        vocabulary=REFERENCE_VOCABULARY,
        mode="stable" if mode == "stable" else "optimal",
    )


def make_identical(
    n_students: int, seed: int = 0, families_per_student: float = 0.335, seats: int = 3
) -> Problem:
    """Ties everywhere: every student has the same profile, every family the same household
    (and one visit day with ``seats`` seats), so every feasible pair has the same score."""
    rng = np.random.default_rng(seed)
    n_hosts = max(1, round(n_students * families_per_student))
    s0 = make_student(rng, 0, 1)
    h0 = make_host(rng, 0, 1)
    s0 = replace(s0, dates=(0,), diet=(), allergies=(), needs_non_smoking=False)
    h0 = replace(h0, seats={0: seats}, lat=s0.lat, lon=s0.lon, guest_gender_preference="any")
    return Problem(
        students=tuple(replace(s0, key=1_000_000 + i) for i in range(n_students)),
        hosts=tuple(replace(h0, key=2_000_000 + j) for j in range(n_hosts)),
        date_labels=DATE_LABELS[:1],
        vocabulary=REFERENCE_VOCABULARY,
    )


def add_friend_pairs(p: Problem, share: float, seed: int = 0) -> Problem:
    """``share`` of the students in pairs of friends who asked to visit together; a friend
    takes the partner's days and home station (they live and study together)."""
    rng = np.random.default_rng(seed)
    k = int(len(p.students) * share) // 2
    idx = rng.permutation(len(p.students))[: 2 * k].reshape(k, 2)
    students = list(p.students)
    for a, b in idx.tolist():
        sa = students[a]
        students[b] = replace(students[b], dates=sa.dates, lat=sa.lat, lon=sa.lon)
    groups = tuple((students[a].key, students[b].key) for a, b in idx.tolist())
    return replace(p, students=tuple(students), groups=groups)
