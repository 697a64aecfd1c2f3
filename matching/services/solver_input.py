"""The home-visit solver's input for a round, from the database: one ``StudentIn`` per free
student, one ``HostIn`` per family, the coordinator's levers and the pairs never to propose
again. The codes of diets, allergens and pets come from ``REFERENCE_VOCABULARY``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from matching.models import Application, Program, Round
from matching.selectors.attendance import PersonRecord, person_records
from matching.selectors.groups import solver_ready
from matching.selectors.rounds import RoundPool
from matching.services.vocabulary import REFERENCE_VOCABULARY
from matching.solver.types import (
    DEFAULT_MAX_TRAVEL_MINUTES,
    HostIn,
    LanguageRule,
    Mode,
    Problem,
    StudentIn,
)

COORDINATOR_FORBID = "coordinator"


def _languages(value: Any) -> dict[str, str]:
    return {
        item["code"]: item["level"]
        for item in value or []
        if isinstance(item, dict) and item.get("code") and item.get("level")
    }


def language_rule(program: Program) -> LanguageRule | None:
    """The programme's language setting as the solver's rule (None: no language required).
    The easy-Japanese path takes a student's Japanese at beginner level or better."""
    if program.language_level == Program.LanguageLevel.NONE:
        return None
    return LanguageRule(
        level=program.language_level,
        easy_japanese_level="beginner" if program.allow_easy_japanese else None,
    )


def round_problem(
    *, rnd: Round, pool: RoundPool, history: Mapping[tuple[int, int], str]
) -> tuple[Problem, list[Application]]:
    """The solver's input for ``rnd``: one StudentIn per free student, one HostIn per family
    (keys are application ids, dates are indices into the programme's dates), the coordinator's
    weights and pins, the forbidden pairs (coordinator forbids first, then ``history``), the
    confirmed groups (``pool.groups``) and each student's "not alone" wish.

    Also returns the applicants left out because their profile lost a field the solver needs
    (a deleted profile or station); the run records them as unplaced with that reason."""
    labels = tuple(rnd.program.dates)
    # Each person's record from earlier visits (the ``reliability`` criterion): one query.
    records = person_records(user_ids=[app.user_id for app in (*pool.students, *pool.hosts)])
    nobody = PersonRecord()
    index = {label: i for i, label in enumerate(labels)}
    skipped: list[Application] = []
    students: list[StudentIn] = []
    for app in pool.students:
        if not solver_ready(app):
            skipped.append(app)
            continue
        profile = app.user.student_profile
        station = profile.home_station
        assert station is not None  # solver_ready
        students.append(
            StudentIn(
                key=app.pk,
                dates=tuple(index[d] for d in app.dates if d in index),
                date_ranks=tuple(
                    index[d] for d in app.date_ranking if d in index and d in app.dates
                ),
                gender=profile.gender or "unspecified",
                languages=_languages(profile.languages),
                diet=tuple(profile.diet or ()),
                allergies=tuple(profile.allergies or ()),
                needs_non_smoking=profile.needs_non_smoking,
                interests=tuple(profile.interests or ()),
                lat=station.latitude,
                lon=station.longitude,
                max_travel_minutes=profile.max_travel_minutes or DEFAULT_MAX_TRAVEL_MINUTES,
                times_unplaced=app.times_unplaced,
                no_shows=records.get(app.user_id, nobody).no_shows,
                visits_before=pool.visits_before.get(app.user_id, 0),
                unplaced_before=pool.unplaced_before.get(app.user_id, 0),
                avoid_pets=tuple(profile.avoid_pets or ()),
                household_preference=profile.household_preference or "any",
                children_preference=profile.children_preference or "any",
                needs_step_free=profile.needs_step_free,
                needs_alcohol_free=profile.needs_alcohol_free,
                needs_prayer_space=profile.needs_prayer_space,
                not_alone=app.not_alone,
            )
        )
    hosts: list[HostIn] = []
    for app in pool.hosts:
        if not solver_ready(app):
            skipped.append(app)
            continue
        household = app.user.host_profile
        place = household.home_station
        assert place is not None  # solver_ready
        hosts.append(
            HostIn(
                key=app.pk,
                seats={
                    index[d]: free
                    for d, free in pool.free_seats.get(app.pk, {}).items()
                    if d in index
                },
                languages=_languages(household.languages),
                pets=tuple(household.pets or ()),
                smoking=household.smoking,
                diets_supported=tuple(household.diets_supported or ()),
                allergens_avoidable=tuple(household.allergens_avoidable or ()),
                interests=tuple(household.interests or ()),
                lat=place.latitude,
                lon=place.longitude,
                guest_gender_preference=household.guest_gender_preference or "any",
                has_children=household.has_children,
                household_size=household.household_size or 2,
                times_hosted=pool.times_hosted.get(app.user_id, 0),
                times_unplaced=app.times_unplaced,
                late_cancellations=records.get(app.user_id, nobody).late_cancellations,
                easy_japanese=household.easy_japanese,
                household_genders=household.household_genders or "mixed",
                step_free=household.step_free,
                alcohol_free=household.alcohol_free,
                prayer_space=household.prayer_space,
            )
        )
    student_keys = {s.key for s in students}
    host_keys = {h.key for h in hosts}
    # The solver refuses pairs it does not know: keep those of applicants still in the pool.
    forbidden: dict[tuple[int, int], str] = {}
    for s, h in rnd.forbids:
        if s in student_keys and h in host_keys:
            forbidden[(s, h)] = COORDINATOR_FORBID
    for pair, reason in history.items():
        forbidden.setdefault(pair, reason)
    problem = Problem(
        students=tuple(students),
        hosts=tuple(hosts),
        date_labels=labels,
        vocabulary=REFERENCE_VOCABULARY,
        weights=dict(rnd.weights),
        pins=tuple((s, h) for s, h in rnd.pins),
        forbidden=forbidden,
        mode=cast(Mode, rnd.mode),  # Round.Mode's values are the solver's modes
        # Both members are free and readable (``pool_groups``), so both are students here.
        groups=tuple(pool.groups),
        lottery_seed=rnd.lottery_seed,
        unplaced_twice_first=rnd.program.unplaced_twice_first,
        language_rule=language_rule(rnd.program),
    )
    return problem, skipped
