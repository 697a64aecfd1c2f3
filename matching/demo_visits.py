"""matching's visit-day demo (``manage.py seed_demo``, registered after the programmes): each
visit day of the open home-visit programme gets its meeting at Kichijōji, and a past
programme shows what happens after the day: a visit held (both sides said so, with
feedback), a visit whose two sides disagree (for the coordinator to settle), and a student's
no-show settled by the coordinator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.demo import DemoPeople, DemoSeeder
from accounts.models import Station
from matching.demo import HOME_VISIT_NAME
from matching.models import Application, HostDay, Program, Proposal, Round
from matching.services import attendance, feedback, meeting, rounds
from matching.services.programs import application_submit, program_close, program_create

PAST_NAME = "ホームビジット・秋・終了"
PAST_TRANSLATIONS = {
    "en": {"name": "Autumn home visits (past)", "description": "Last month's home visits."},
    "ja-easy": {"name": "ホームビジット・秋(おわり)"},
    "zh-hans": {"name": "秋季家庭访问(已结束)"},
    "vi": {"name": "Thăm gia đình mùa thu (đã kết thúc)"},
    "ne": {"name": "शरद गृह भेट (सकिएको)"},
    "ko": {"name": "가을 가정 방문 (종료)"},
}
MEETING_TIME = dt.time(10, 0)
STATION = "kichijoji"
PLACE_JA = "中央口・北口の改札の前"
PLACE_EN = "In front of the Central (North) exit ticket gates"


def _meetings(program: Program, people: DemoPeople) -> int:
    station = Station.objects.filter(slug=STATION).first()
    for day in program.days:
        meeting.meeting_point_set(
            program=program,
            day=day,
            time=MEETING_TIME,
            station=station,
            place_ja=PLACE_JA,
            place_en=PLACE_EN,
            by=people.coordinator,
        )
    return len(program.days)


def _past_visits(people: DemoPeople) -> list[Proposal]:
    """A programme with three confirmed visits, a round solved a week ahead and then moved two
    weeks into the past (no service makes a visit in the past)."""
    coordinator = people.coordinator
    today = timezone.localdate()
    soon = today + dt.timedelta(days=7)
    with transaction.atomic():
        program = program_create(
            by=coordinator,
            name=PAST_NAME,
            kind=Program.Kind.HOME_VISIT,
            dates=[soon],
            apply_until=timezone.now() + dt.timedelta(days=1),
            response_hours=72,
            description="先月のホームビジット。",
            translations=PAST_TRANSLATIONS,
        )
        for user in people.students[:5]:
            application_submit(program=program, user=user, dates=[soon])
        for user in people.families[:4]:
            application_submit(program=program, user=user, dates=[soon], capacity=1)
    rnd = rounds.round_start(program=program, by=coordinator)
    rounds.round_run(round_id=rnd.pk)
    past = today - dt.timedelta(days=14)
    now = timezone.now()
    with transaction.atomic():
        # Published and accepted by both sides by hand, not by the services: those e-mail
        # both sides, and the demo writes to nobody.
        visits = list(Proposal.objects.filter(round=rnd).order_by("id")[:3])
        Round.objects.filter(pk=rnd.pk).update(status=Round.Status.PUBLISHED, published_at=now)
        Proposal.objects.filter(pk__in=[v.pk for v in visits]).update(
            status=Proposal.Status.CONFIRMED,
            student_answer=Proposal.Answer.ACCEPTED,
            host_answer=Proposal.Answer.ACCEPTED,
            student_answered_at=now,
            host_answered_at=now,
            confirmed_at=now,
        )
        Proposal.objects.filter(round=rnd).exclude(pk__in=[v.pk for v in visits]).delete()
        HostDay.objects.filter(application_id__in=[v.host_application_id for v in visits]).update(
            seats_taken=1
        )
        Program.objects.filter(pk=program.pk).update(
            dates=[past.isoformat()],
            apply_until=timezone.now() - dt.timedelta(days=21),
        )
        Application.objects.filter(program=program).update(dates=[past.isoformat()])
        HostDay.objects.filter(application__program=program).update(date=past)
        Proposal.objects.filter(program=program).update(date=past)
    program.refresh_from_db()
    _meetings(program, people)
    program_close(program=program, by=coordinator)
    return [Proposal.objects.select_related("program").get(pk=v.pk) for v in visits]


def _attendance(visits: list[Proposal], people: DemoPeople) -> None:
    held, disputed, no_show = visits
    for party in (held.student_application.user, held.host_application.user):
        attendance.attendance_record(proposal_id=held.pk, by=party, outcome="held")
        feedback.feedback_leave(proposal_id=held.pk, by=party, rating=5, would_meet_again=True)
    attendance.attendance_record(
        proposal_id=disputed.pk,
        by=disputed.student_application.user,
        outcome="held",
        note="We had lunch and walked in Inokashira Park.",
    )
    attendance.attendance_record(
        proposal_id=disputed.pk,
        by=disputed.host_application.user,
        outcome="student_absent",
        note="学生さんは来ませんでした。",
    )
    attendance.attendance_record(
        proposal_id=no_show.pk,
        by=people.coordinator,
        outcome="student_absent",
        note="The family phoned the office; the student did not answer.",
    )


def demo_visit_day_seed(people: DemoPeople, say: Callable[[str], None]) -> None:
    """Meetings on the open programme's days; the past programme once (it stays as it is)."""
    upcoming = Program.objects.filter(name=HOME_VISIT_NAME, created_by=people.coordinator).first()
    days = _meetings(upcoming, people) if upcoming else 0
    if Program.objects.filter(name=PAST_NAME, created_by=people.coordinator).exists():
        say(f"visit day: meetings on {days} days; the past programme exists")
        return
    visits = _past_visits(people)
    if len(visits) < 3:
        say(f"visit day: meetings on {days} days; only {len(visits)} past visits, no attendance")
        return
    _attendance(visits, people)
    say(
        f"visit day: meetings on {days} days; a past programme with a visit held, "
        "a disagreement to settle and a no-show"
    )


DEMO_SEEDER = DemoSeeder(name="matching.visit_day", seed=demo_visit_day_seed)
