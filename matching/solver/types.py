"""Plain input and output records of the solver (no Django, no numpy in the public shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# The codes the gender and language rules are written in (their order is the rule's).
GENDERS = ("female", "male", "nonbinary", "unspecified")
LEVELS = ("beginner", "intermediate", "advanced", "native")
GENDER_PREFERENCES = ("any", "female", "male")
FORBID_REASONS = ("coordinator", "declined", "met_before", "bad_feedback")
# Who lives in the family's home, and what a student may ask for (``household`` rule):
# "woman_at_home" is met by a home of women only or of both, "women_only" only by the first.
HOUSEHOLD_GENDERS = ("mixed", "women_only", "men_only")
HOUSEHOLD_PREFERENCES = ("any", "woman_at_home", "women_only", "man_at_home", "men_only")
CHILDREN_PREFERENCES = ("any", "with_children", "without_children")
# The travel limit of a profile that gives none (a family profile has no such field).
DEFAULT_MAX_TRAVEL_MINUTES = 60

Mode = Literal["optimal", "stable"]


@dataclass(frozen=True)
class Vocabulary:
    """The codes of diets, allergens and pets, given by the caller from the association's
    reference data (the solver keeps no list of its own). Each code is one bit of a bitset;
    a code outside these is refused. A pet allergen is also a pet code: a student allergic to
    it cannot visit a family that keeps that pet."""

    diets: tuple[str, ...]
    food_allergens: tuple[str, ...]
    pet_allergens: tuple[str, ...]
    pets: tuple[str, ...]
    # What a diet brings with it, (diet, diets it implies): a student who keeps the first keeps
    # the others too, and a family that cooks the first can cater for the others (a vegan
    # kitchen hosts a vegetarian; halal food has no pork and no alcohol).  Closed transitively.
    diet_implies: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class LanguageRule:
    """The shared language a programme asks of every pair.

    A pair passes when both speak one language at ``level`` or better, or -- when
    ``easy_japanese_level`` is set -- when the student speaks Japanese at that level or better
    and the family speaks Japanese and offers to speak it slowly and simply
    (``HostIn.easy_japanese``).  Levels are codes of ``LEVELS``."""

    level: str = "intermediate"
    easy_japanese_level: str | None = "beginner"


@dataclass(frozen=True)
class StudentIn:
    """One student application. ``key`` is the application id, echoed back in results."""

    key: int
    dates: tuple[int, ...]
    gender: str = "unspecified"
    languages: dict[str, str] = field(default_factory=dict)
    diet: tuple[str, ...] = ()
    allergies: tuple[str, ...] = ()
    needs_non_smoking: bool = False
    interests: tuple[str, ...] = ()
    lat: float = 35.7030
    lon: float = 139.5795
    max_travel_minutes: int = DEFAULT_MAX_TRAVEL_MINUTES
    times_unplaced: int = 0
    # Visits of earlier rounds the student did not come to (the ``reliability`` criterion).
    no_shows: int = 0
    # Fair ties (``priority``): home visits made in earlier programmes, and rounds of any
    # programme that left the student unplaced (never reset by a new programme).
    visits_before: int = 0
    unplaced_before: int = 0
    # "Not alone": place only where a second student visits the same family the same day.
    not_alone: bool = False
    # The student's own wishes (hard rules): pets they would rather not live with even without
    # an allergy, the household they would feel at home in, and what the home must offer.
    avoid_pets: tuple[str, ...] = ()
    household_preference: str = "any"
    children_preference: str = "any"
    needs_step_free: bool = False
    needs_alcohol_free: bool = False
    needs_prayer_space: bool = False
    # Some or all of ``dates``, most wanted first: the first choice scores more.
    date_ranks: tuple[int, ...] = ()


@dataclass(frozen=True)
class HostIn:
    """One host-family application; ``seats`` maps a date index to the free seats that day."""

    key: int
    seats: dict[int, int]
    languages: dict[str, str] = field(default_factory=dict)
    pets: tuple[str, ...] = ()
    smoking: bool = False
    diets_supported: tuple[str, ...] = ()
    allergens_avoidable: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    lat: float = 35.7030
    lon: float = 139.5795
    guest_gender_preference: str = "any"
    has_children: bool = False
    household_size: int = 2
    times_hosted: int = 0
    times_unplaced: int = 0
    # Visits of earlier rounds the family cancelled on the day (the ``reliability`` criterion).
    late_cancellations: int = 0
    # Facts of the home the students' wishes are checked against.
    easy_japanese: bool = False
    household_genders: str = "mixed"
    step_free: bool = False
    alcohol_free: bool = False
    prayer_space: bool = False


@dataclass(frozen=True)
class Problem:
    """One matching round: who applies, the programme's dates, and the coordinator's levers."""

    students: tuple[StudentIn, ...]
    hosts: tuple[HostIn, ...]
    date_labels: tuple[str, ...]
    vocabulary: Vocabulary
    weights: dict[str, float] = field(default_factory=dict)
    pins: tuple[tuple[int, int], ...] = ()
    forbidden: dict[tuple[int, int], str] = field(default_factory=dict)
    mode: Mode = "optimal"
    # Groups: pairs of student keys placed together (same family, same day) or not at all.
    groups: tuple[tuple[int, int], ...] = ()
    # Fair ties: the lottery among equals is drawn from this seed (recorded on the round), and
    # with ``unplaced_twice_first`` anyone left unplaced twice before is placed first.
    lottery_seed: int = 0
    unplaced_twice_first: bool = False
    # None: no language is required of a pair (the programme's setting is applied by the caller).
    language_rule: LanguageRule | None = None


@dataclass(frozen=True)
class Assignment:
    """A proposed visit: ``score`` is the sum of ``breakdown`` (points per criterion)."""

    student_key: int
    host_key: int
    date_index: int
    score: float
    breakdown: dict[str, float]


@dataclass(frozen=True)
class Reason:
    """Why someone was left out: ``code`` + ``params`` to translate, ``text`` in English."""

    code: str
    params: dict[str, Any]
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params, "text": self.text}


@dataclass(frozen=True)
class Unplaced:
    """A student (or host) with no visit this round, with the reasons, most binding first."""

    key: int
    reasons: list[Reason]


@dataclass
class Result:
    assignments: list[Assignment]
    unplaced_students: list[Unplaced]
    unplaced_hosts: list[Unplaced]
    stats: dict[str, Any]


class SolverInputError(ValueError):
    """Bad input: the message names the field and the value."""


class PinError(SolverInputError):
    """A pinned pair cannot be placed; the message names the pair and the hard rule."""

    def __init__(self, student_key: int, host_key: int, rule: str, detail: str) -> None:
        self.student_key = student_key
        self.host_key = host_key
        self.rule = rule
        super().__init__(f"pin ({student_key}, {host_key}) is infeasible: {rule}: {detail}")
