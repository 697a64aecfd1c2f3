"""The demo's past year (``manage.py seed_demo``): three home-visit programmes whose visit days
have passed, with confirmed visits, a few cancelled and declined ones (with their reasons) and
feedback, so that the report to the city has something to show for this fiscal year and the
last.

Past rows are written directly: the services refuse, rightly, to take applications or answers
for days that have passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.demo import DemoPeople, DemoSeeder
from accounts.models import Role
from matching.models import (
    Application,
    Feedback,
    HostDay,
    Program,
    Proposal,
    ProposalEvent,
    Round,
)
from matching.selectors.city_report import fiscal_year

# Two programmes in the last fiscal year (early June, early January) and one in this one, so
# that the report has both years to show (this year's once two weeks of it have passed).
# Each name in Japanese, and in the other languages (Program.text_in).
PAST_PROGRAMS: tuple[tuple[str, dict[str, dict[str, str]]], ...] = (
    (
        "ホームビジット・初夏",
        {
            "en": {"name": "Early-summer home visits"},
            "ja-easy": {"name": "ホームビジット(夏のはじめ)"},
            "zh-hans": {"name": "初夏家庭访问"},
            "vi": {"name": "Thăm gia đình đầu hè"},
            "ne": {"name": "प्रारम्भिक गर्मीको गृह भेट"},
            "ko": {"name": "초여름 가정 방문"},
        },
    ),
    (
        "ホームビジット・冬",
        {
            "en": {"name": "Winter home visits"},
            "ja-easy": {"name": "ホームビジット(冬)"},
            "zh-hans": {"name": "冬季家庭访问"},
            "vi": {"name": "Thăm gia đình mùa đông"},
            "ne": {"name": "जाडोको गृह भेट"},
            "ko": {"name": "겨울 가정 방문"},
        },
    ),
    (
        "ホームビジット・地域交流",
        {
            "en": {"name": "Neighbourhood home visits"},
            "ja-easy": {"name": "ホームビジット(町の人と交流)"},
            "zh-hans": {"name": "社区交流家庭访问"},
            "vi": {"name": "Thăm gia đình giao lưu khu phố"},
            "ne": {"name": "छिमेक गृह भेट"},
            "ko": {"name": "지역 교류 가정 방문"},
        },
    ),
)


def _first_days(today: dt.date) -> list[dt.date]:
    """Each past programme's first visit day (the second is a week later, still past)."""
    start, _end = fiscal_year(today)
    this_year = min(today - dt.timedelta(days=14), max(start, today - dt.timedelta(days=75)))
    return [start - dt.timedelta(days=300), start - dt.timedelta(days=90), this_year]


# Each programme's three declines give these reasons, in turn.
DECLINE_REASONS = (
    "日程が合わなくなりました / Our plans changed",
    "日程が合わなくなりました / Our plans changed",
    "駅から遠すぎます / Too far from my station",
)


def _visit(
    *,
    round_: Round,
    student: Application,
    host: Application,
    day: dt.date,
    status: str,
    reason: str = "",
) -> Proposal:
    at = timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=10), dt.time(10)))
    proposal = Proposal.objects.create(
        round=round_,
        program=round_.program,
        student_application=student,
        host_application=host,
        date=day,
        score=70.0,
        status=status,
        confirmed_at=at if status != Proposal.Status.DECLINED else None,
        student_answer="declined" if status == Proposal.Status.DECLINED else "accepted",
        host_answer="accepted",
    )
    ProposalEvent.objects.create(
        proposal=proposal,
        from_status=Proposal.Status.PROPOSED,
        to_status=status,
        actor=student.user,
        reason=reason,
    )
    return proposal


def _past_program(
    people: DemoPeople,
    name: str,
    translations: dict[str, dict[str, str]],
    first: dt.date,
    offset: int,
) -> int:
    rng = people.rng
    days = [first, first + dt.timedelta(days=7)]
    program = Program.objects.create(
        name=name,
        translations=translations,
        kind=Program.Kind.HOME_VISIT,
        dates=[day.isoformat() for day in days],
        apply_until=timezone.make_aware(dt.datetime.combine(days[0], dt.time(0))),
        status=Program.Status.CLOSED,
        closed_at=timezone.make_aware(dt.datetime.combine(days[1], dt.time(20))),
        created_by=people.coordinator,
    )
    round_ = Round.objects.create(
        program=program, number=1, status=Round.Status.PUBLISHED, created_by=people.coordinator
    )
    # A different, overlapping slice of the people each time: some come back, some are new.
    students = people.students[offset : offset + 14]
    families = people.families[offset // 2 : offset // 2 + 8]
    hosts = []
    for family in families:
        application = Application.objects.create(
            program=program, user=family, role=Role.HOST, dates=program.dates
        )
        HostDay.objects.bulk_create(HostDay(application=application, date=d, seats=2) for d in days)
        hosts.append(application)
    made = 0
    for index, student in enumerate(students):
        application = Application.objects.create(
            program=program, user=student, role=Role.STUDENT, dates=program.dates
        )
        if index % 7 == 6:
            continue  # applied, not placed
        host = hosts[index % len(hosts)]
        day = days[index % 2]
        if index % 4 == 3:
            _visit(
                round_=round_,
                student=application,
                host=host,
                day=day,
                status=Proposal.Status.DECLINED,
                reason=DECLINE_REASONS[index // 4 % len(DECLINE_REASONS)],
            )
            continue
        status = Proposal.Status.CANCELLED if index % 11 == 10 else Proposal.Status.CONFIRMED
        proposal = _visit(round_=round_, student=application, host=host, day=day, status=status)
        made += 1
        if status == Proposal.Status.CONFIRMED:
            for author in (student, host.user):
                Feedback.objects.create(
                    proposal=proposal,
                    author=author,
                    rating=rng.choice((3, 4, 4, 5, 5, 5)),
                    would_meet_again=True,
                )
    return made


def demo_history_seed(people: DemoPeople, say: Callable[[str], None]) -> None:
    """The past programmes, once (a programme of that name that exists keeps its own)."""
    made = 0
    first_days = _first_days(timezone.localdate())
    with transaction.atomic():
        for number, ((name, translations), first) in enumerate(
            zip(PAST_PROGRAMS, first_days, strict=True)
        ):
            if Program.objects.filter(name=name, created_by=people.coordinator).exists():
                continue
            made += _past_program(people, name, translations, first, offset=number * 6)
    say(f"past year: {len(PAST_PROGRAMS)} programmes whose days have passed, {made} new visits")


DEMO_HISTORY_SEEDER = DemoSeeder(name="matching-history", seed=demo_history_seed)
