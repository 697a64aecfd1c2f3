"""matching's part of the demo (``manage.py seed_demo``, registered in ``MatchingConfig.ready()``):
an open home-visit programme with two visit days three and four weeks ahead that most demo
people have applied to, and a language-exchange programme whose applicants give the weekly
times they are free, so that a round pairs some of them."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.demo import DemoPeople, DemoSeeder
from accounts.models import Role, User
from accounts.reference_data import WEEKLY_SLOTS
from accounts.selectors import profile_of
from matching.models import Application, GroupRequest, Program
from matching.services.programs import application_submit, program_create

HOME_VISIT_NAME = "ホームビジット・武蔵野"
EXCHANGE_NAME = "言語交換"
# The programmes' names and descriptions in the other languages (Program.text_in).
HOME_VISIT_TRANSLATIONS = {
    "en": {
        "name": "Musashino home visits",
        "description": "Foreign students spend a day with a local family in Musashino.",
    },
    "ja-easy": {
        "name": "ホームビジット・武蔵野",
        "description": "留学生が、町の家族の家で1日すごします。",
    },
    "zh-hans": {"name": "武藏野家庭访问", "description": "留学生在武藏野的当地家庭度过一天。"},
    "vi": {
        "name": "Thăm nhà ở Musashino",
        "description": "Du học sinh dành một ngày cùng một gia đình địa phương ở Musashino.",
    },
    "ne": {
        "name": "मुसाशिनो घर भ्रमण",
        "description": "विदेशी विद्यार्थीहरू मुसाशिनोको स्थानीय परिवारसँग एक दिन बिताउँछन्।",
    },
    "ko": {
        "name": "무사시노 가정 방문",
        "description": "유학생이 무사시노의 지역 가정에서 하루를 보냅니다.",
    },
}
EXCHANGE_TRANSLATIONS = {
    "en": {
        "name": "Language exchange",
        "description": "One-to-one pairs who teach each other their languages.",
    },
    "ja-easy": {"name": "言語交換", "description": "2人で、おたがいの言葉を教えあいます。"},
    "zh-hans": {"name": "语言交换", "description": "一对一地互相教对方自己的语言。"},
    "vi": {
        "name": "Trao đổi ngôn ngữ",
        "description": "Từng cặp một kèm một, dạy nhau ngôn ngữ của mình.",
    },
    "ne": {"name": "भाषा आदानप्रदान", "description": "एक-एक जोडी, जसले एकअर्कालाई आफ्नो भाषा सिकाउँछन्।"},
    "ko": {"name": "언어 교환", "description": "일대일로 서로의 언어를 가르쳐 줍니다."},
}

# When demo people are free each week, as codes of the reference grid (``sat-am``): students
# after classes and at weekends, families mostly at weekends and on some weekday daytimes.
STUDENT_SLOTS = (
    *(f"{day}-eve" for day in ("mon", "tue", "wed", "thu", "fri")),
    "sat-am",
    "sat-pm",
    "sun-pm",
)
FAMILY_SLOTS = ("sat-am", "sat-pm", "sun-am", "sun-pm", "sat-eve", "wed-pm", "fri-pm", "tue-am")


def _weekly_slots(rng: random.Random, likely: tuple[str, ...]) -> list[str]:
    """Two to four of the ``likely`` slots, in grid order."""
    chosen = set(rng.sample(likely, rng.randint(2, 4)))
    return [slot.code for slot in WEEKLY_SLOTS if slot.code in chosen]


def _languages(user: User) -> dict[str, str]:
    """The user's profile languages: code -> level."""
    entries = getattr(profile_of(user), "languages", None) or []
    return {entry["code"]: entry["level"] for entry in entries}


def _program(coordinator: User, name: str, **fields: Any) -> tuple[Program, bool]:
    existing = Program.objects.filter(name=name, created_by=coordinator).first()
    if existing is not None:
        return existing, False
    return program_create(by=coordinator, name=name, **fields), True


def _home_visit_apply(people: DemoPeople, visits: Program, days: list[dt.date]) -> None:
    rng = people.rng
    # Most people apply; a few have not yet, as in a real call for applications.
    for index, user in enumerate(people.students):
        if index % 6 != 5:
            dates = rng.choice((days, days, days[:1]))
            # Every third student who can make both days would rather come on the second.
            ranking = days[1:] if len(dates) > 1 and index % 3 == 0 else None
            application_submit(program=visits, user=user, dates=dates, date_ranking=ranking)
    for index, user in enumerate(people.families):
        if index % 7 != 6:
            application_submit(
                program=visits,
                user=user,
                dates=rng.choice((days, days, days[1:])),
                capacity=rng.choice((1, 1, 2, 2, 3)),
            )


def _visit_together(visits: Program) -> None:
    """Two friends who visit together (the first two students with a shared day; the demo
    student who logs in first among them), an invitation still waiting for its answer, and a
    beginner who asked not to visit alone. Written directly, not by the services: those
    e-mail the other student, and the demo writes to nobody."""
    applied = list(
        Application.objects.filter(program=visits, role=Role.STUDENT)
        .select_related("user")
        .order_by("user__pk")
    )
    now = timezone.now()
    pairs: list[tuple[Application, Application]] = []
    free = list(applied)
    while len(pairs) < 2 and len(free) >= 2:
        first = free.pop(0)
        mate = next((app for app in free if set(app.dates) & set(first.dates)), None)
        if mate is not None:
            free.remove(mate)
            pairs.append((first, mate))
    for (inviter, invitee), confirmed in zip(pairs, (True, False), strict=False):
        GroupRequest.objects.create(
            program=visits,
            inviter=inviter,
            invitee=invitee,
            relation=GroupRequest.Relation.FRIEND,
            status=GroupRequest.Status.CONFIRMED if confirmed else GroupRequest.Status.PENDING,
            answered_at=now if confirmed else None,
        )
    beginner = next((app for app in free if _languages(app.user).get("ja") == "beginner"), None)
    if beginner is not None:
        Application.objects.filter(pk=beginner.pk).update(not_alone=True)


def _exchange_apply(people: DemoPeople, exchange: Program) -> None:
    rng = people.rng
    # Students teach their language, and English when they speak it well; families teach
    # Japanese and learn English, and the language they are starting on.
    for user in people.students[::3]:
        languages = _languages(user)
        native = next(code for code, level in languages.items() if level == "native")
        english = native != "en" and languages.get("en") == "advanced"
        application_submit(
            program=exchange,
            user=user,
            teaches=[native, "en"] if english else [native],
            learns=["ja"],
            format=rng.choice(("online", "in_person", "either")),
            time_slots=_weekly_slots(rng, STUDENT_SLOTS),
        )
    for user in people.families[::2]:
        starting = [
            code
            for code, level in _languages(user).items()
            if level == "beginner" and code not in ("ja", "en")
        ]
        application_submit(
            program=exchange,
            user=user,
            teaches=["ja"],
            learns=["en", *starting],
            format=rng.choice(("in_person", "either")),
            time_slots=_weekly_slots(rng, FAMILY_SLOTS),
        )


def demo_programs_seed(people: DemoPeople, say: Callable[[str], None]) -> None:
    """The two programmes and their applications; a programme that exists keeps its own."""
    today = timezone.localdate()
    # Saturdays three and four weeks ahead; applications close a week before the first.
    first = today + dt.timedelta(days=21 + (5 - today.weekday()) % 7)
    second = first + dt.timedelta(days=7)
    closes = timezone.make_aware(dt.datetime.combine(first - dt.timedelta(days=7), dt.time(23, 59)))
    coordinator = people.coordinator
    with transaction.atomic():
        visits, new_visits = _program(
            coordinator,
            HOME_VISIT_NAME,
            kind=Program.Kind.HOME_VISIT,
            dates=[first, second],
            apply_until=closes,
            response_hours=72,
            unplaced_twice_first=True,  # the fair-tie setting, on in the demo
            description="留学生が地域のご家庭で一日を過ごします。",
            translations=HOME_VISIT_TRANSLATIONS,
        )
        exchange, new_exchange = _program(
            coordinator,
            EXCHANGE_NAME,
            kind=Program.Kind.LANGUAGE_EXCHANGE,
            dates=[first + dt.timedelta(days=1)],
            apply_until=closes,
            response_hours=72,
            description="教え合う一対一の言語交換です。",
            translations=EXCHANGE_TRANSLATIONS,
        )
        say(f"programmes: a home visit and a language exchange ({new_visits + new_exchange} new)")
        # In the programmes' transaction: a programme never exists without its applications.
        if new_visits:
            _home_visit_apply(people, visits, [first, second])
            _visit_together(visits)
        if new_exchange:
            _exchange_apply(people, exchange)
    counts = [Application.objects.filter(program=p).count() for p in (visits, exchange)]
    requests = GroupRequest.objects.filter(program=visits)
    together = requests.filter(status=GroupRequest.Status.CONFIRMED).count()
    waiting = requests.filter(status=GroupRequest.Status.PENDING).count()
    say(
        f"applications: {counts[0]} to the home visit, {counts[1]} to the language exchange; "
        f"{together} pair visiting together, {waiting} invitation waiting"
    )


def demo_programs_reset(users: QuerySet[User]) -> None:
    # Programmes PROTECT their creator: the demo coordinator's go first.
    Program.objects.filter(created_by__in=users).delete()


DEMO_SEEDER = DemoSeeder(name="matching", seed=demo_programs_seed, reset=demo_programs_reset)
