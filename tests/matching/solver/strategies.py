"""Hypothesis strategies: small rounds with every hard rule in play."""

from __future__ import annotations

from hypothesis import strategies as st

from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver.types import HostIn, LanguageRule, Problem, StudentIn

STATIONS = ((35.7030, 139.5795), (35.7027, 139.5607), (35.6896, 139.7006), (35.6980, 139.4138))
DATES = ("2027-01-17", "2027-01-24")
INTERESTS = ("cooking", "anime", "music", "children", "hiking")


@st.composite
def students(draw: st.DrawFn, key: int) -> StudentIn:
    lat, lon = draw(st.sampled_from(STATIONS))
    dates = tuple(sorted(draw(st.sets(st.sampled_from((0, 1)), min_size=1))))
    return StudentIn(
        key=key,
        dates=dates,
        date_ranks=tuple(draw(st.permutations(dates))[: draw(st.integers(0, len(dates)))]),
        gender=draw(st.sampled_from(("female", "male", "nonbinary", "unspecified"))),
        languages=draw(
            st.dictionaries(
                st.sampled_from(("ja", "en", "zh")),
                st.sampled_from(("beginner", "intermediate", "advanced", "native")),
                max_size=2,
            )
        ),
        diet=tuple(draw(st.sets(st.sampled_from(("halal", "vegan", "vegetarian")), max_size=1))),
        allergies=tuple(
            draw(st.sets(st.sampled_from(("cat", "dog", "bird", "peanut")), max_size=1))
        ),
        avoid_pets=tuple(draw(st.sets(st.sampled_from(("dog", "rabbit")), max_size=1))),
        household_preference=draw(
            st.sampled_from(("any", "any", "woman_at_home", "women_only", "man_at_home"))
        ),
        children_preference=draw(
            st.sampled_from(("any", "any", "with_children", "without_children"))
        ),
        needs_step_free=draw(st.booleans()),
        needs_alcohol_free=draw(st.booleans()),
        needs_prayer_space=draw(st.booleans()),
        needs_non_smoking=draw(st.booleans()),
        interests=tuple(sorted(draw(st.sets(st.sampled_from(INTERESTS), max_size=3)))),
        lat=lat,
        lon=lon,
        max_travel_minutes=draw(st.sampled_from((15, 25, 40, 60))),
        times_unplaced=draw(st.integers(0, 2)),
    )


@st.composite
def hosts(draw: st.DrawFn, key: int) -> HostIn:
    lat, lon = draw(st.sampled_from(STATIONS))
    days = draw(st.sets(st.sampled_from((0, 1)), min_size=1))
    return HostIn(
        key=key,
        seats={d: draw(st.integers(0, 3)) for d in sorted(days)},
        languages=draw(
            st.dictionaries(
                st.sampled_from(("ja", "en", "zh")),
                st.sampled_from(("beginner", "intermediate", "advanced", "native")),
                max_size=2,
            )
        ),
        pets=tuple(
            draw(st.sets(st.sampled_from(("cat", "dog", "bird", "rabbit", "other")), max_size=1))
        ),
        smoking=draw(st.booleans()),
        diets_supported=tuple(
            draw(st.sets(st.sampled_from(("halal", "vegan", "vegetarian")), max_size=2))
        ),
        easy_japanese=draw(st.booleans()),
        household_genders=draw(st.sampled_from(("mixed", "mixed", "women_only", "men_only"))),
        step_free=draw(st.booleans()),
        alcohol_free=draw(st.booleans()),
        prayer_space=draw(st.booleans()),
        allergens_avoidable=tuple(draw(st.sets(st.sampled_from(("peanut",)), max_size=1))),
        interests=tuple(sorted(draw(st.sets(st.sampled_from(INTERESTS), max_size=3)))),
        lat=lat,
        lon=lon,
        guest_gender_preference=draw(st.sampled_from(("any", "any", "female", "male"))),
        has_children=draw(st.booleans()),
        household_size=draw(st.integers(1, 5)),
        times_hosted=draw(st.integers(0, 3)),
        times_unplaced=draw(st.integers(0, 1)),
    )


@st.composite
def problems(
    draw: st.DrawFn, max_students: int = 6, max_hosts: int = 3, mode: str = "optimal"
) -> Problem:
    n = draw(st.integers(0, max_students))
    m = draw(st.integers(0, max_hosts))
    ss = tuple(draw(students(100 + i)) for i in range(n))
    hs = tuple(draw(hosts(200 + j)) for j in range(m))
    forbidden = {}
    if n and m:
        for _ in range(draw(st.integers(0, 2))):
            s = draw(st.sampled_from(ss))
            h = draw(st.sampled_from(hs))
            forbidden[(s.key, h.key)] = draw(st.sampled_from(("coordinator", "declined")))
    weights = draw(
        st.dictionaries(
            st.sampled_from(("language", "interests", "travel", "fairness_student")),
            st.floats(0, 50, allow_nan=False),
            max_size=2,
        )
    )
    return Problem(
        students=ss,
        hosts=hs,
        date_labels=DATES,
        vocabulary=REFERENCE_VOCABULARY,
        weights=weights,
        forbidden=forbidden,
        mode="stable" if mode == "stable" else "optimal",
        language_rule=draw(
            st.sampled_from(
                (
                    None,
                    LanguageRule(),
                    LanguageRule(level="beginner", easy_japanese_level=None),
                    LanguageRule(level="advanced", easy_japanese_level="intermediate"),
                )
            )
        ),
    )
