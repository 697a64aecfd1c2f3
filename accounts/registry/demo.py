"""The registry's part of ``manage.py seed_demo``: the partner schools, and a standing for every
demo student and family so that the coordinator's registry shows each status. Most families
are approved (a few lapse within the month), two are still pending, one lapsed, one is
suspended; most students are confirmed, a few wait for a coordinator, one lapsed.

Standings are given by position in the demo's fixed lists (no random draw: the generator the
other seeders share keeps its sequence); a person who already has a record keeps it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.demo import DemoPeople, DemoSeeder
from accounts.models import CheckRecord, PartnerSchool, RegistryRecord, User
from accounts.registry.selectors import academic_year_end, months_after, registry_policy

# (Japanese name, English name as the demo profiles spell it, e-mail domains)
SCHOOLS: tuple[tuple[str, str, list[str]], ...] = (
    ("亜細亜大学", "Asia University", ["asia-u.ac.jp"]),
    ("成蹊大学", "Seikei University", ["seikei.ac.jp"]),
    ("東京女子大学", "Tokyo Woman's Christian University", ["twcu.ac.jp"]),
    ("国際基督教大学", "International Christian University (ICU)", ["icu.ac.jp"]),
    ("東京農工大学", "Tokyo University of Agriculture and Technology", ["go.tuat.ac.jp"]),
    ("東京学芸大学", "Tokyo Gakugei University", ["u-gakugei.ac.jp"]),
    ("武蔵野大学", "Musashino University", ["stu.musashino-u.ac.jp"]),
    ("吉祥寺の日本語学校", "Japanese language school, Kichijōji", []),
    ("三鷹の日本語学校", "Japanese language school, Mitaka", []),
)
CHECKS = ("briefing", "home-visit", "household-consent", "pledge")


def _schools() -> dict[str, PartnerSchool]:
    found = {}
    for name_ja, name_en, domains in SCHOOLS:
        school, _created = PartnerSchool.objects.get_or_create(
            name_en=name_en, defaults={"name_ja": name_ja, "domains": domains}
        )
        found[name_en] = school
    return found


def _family_standing(index: int, count: int, today: dt.date) -> tuple[str, dt.date | None]:
    """What the family at ``index`` of ``count`` shows: the last ones pending, expired and
    suspended, two lapsing within the month, the others approved for most of a year."""
    kind = {count - 1: "pending", count - 2: "pending", count - 3: "expired"}.get(index)
    kind = kind or {count - 4: "suspended", 1: "soon", 3: "soon"}.get(index, "approved")
    if kind == "pending":
        return kind, None
    if kind == "expired":
        return kind, today - dt.timedelta(days=12)
    if kind == "soon":
        return kind, today + dt.timedelta(days=6 if index == 1 else 24)
    return kind, today + dt.timedelta(days=90 + 17 * index)


def _family(user: User, index: int, count: int, coordinator: User, today: dt.date) -> str:
    kind, until = _family_standing(index, count, today)
    months = registry_policy().approval_months
    approved_on = months_after(until, -months) if until else None
    checks = CHECKS[:2] if kind == "pending" else CHECKS
    for offset, code in enumerate(checks):
        done = (approved_on or today - dt.timedelta(days=20)) - dt.timedelta(days=3 * offset)
        CheckRecord.objects.create(
            user=user, vetting_check_id=code, done_on=done, recorded_by=coordinator
        )
    RegistryRecord.objects.create(
        user=user,
        valid_until=until,
        first_approved_on=months_after(approved_on, -12 * (index % 3)) if approved_on else None,
        suspended_at=timezone.now() if kind == "suspended" else None,
        suspended_reason="近隣から苦情があり確認中 / a neighbour's complaint under review"
        if kind == "suspended"
        else "",
        suspended_by=coordinator if kind == "suspended" else None,
    )
    return kind


def _student(
    user: User, index: int, schools: dict[str, PartnerSchool], coordinator: User, today: dt.date
) -> str:
    profile = getattr(user, "student_profile", None)
    school = schools.get(profile.school if profile else "")
    year_end = academic_year_end(today, start_month=registry_policy().academic_year_start_month)
    kind = "pending" if index % 9 == 8 else "expired" if index == 5 else "confirmed"
    RegistryRecord.objects.create(
        user=user,
        school=school,
        confirmed_at=None if kind == "pending" else timezone.now(),
        confirmed_via="" if kind == "pending" else RegistryRecord.ConfirmedVia.COORDINATOR,
        confirmed_by=None if kind == "pending" else coordinator,
        valid_until=None
        if kind == "pending"
        else (today - dt.timedelta(days=40) if kind == "expired" else year_end),
        first_approved_on=None if kind == "pending" else today - dt.timedelta(days=200),
        renewal_requested_at=timezone.now() if index == 17 else None,
    )
    return kind


def demo_registry_seed(people: DemoPeople, say: Callable[[str], None]) -> None:
    """Partner schools and each demo person's standing (left alone when they have one)."""
    today = timezone.localdate()
    counts: dict[str, int] = {}
    with transaction.atomic():
        schools = _schools()
        has_record = set(
            RegistryRecord.objects.filter(
                user__in=[*people.students, *people.families]
            ).values_list("user_id", flat=True)
        )
        for index, family in enumerate(people.families):
            if family.pk not in has_record:
                kind = _family(family, index, len(people.families), people.coordinator, today)
                counts[kind] = counts.get(kind, 0) + 1
        for index, student in enumerate(people.students):
            if student.pk not in has_record:
                kind = _student(student, index, schools, people.coordinator, today)
                counts[f"student {kind}"] = counts.get(f"student {kind}", 0) + 1
    new = sum(counts.values())
    shown = "".join(f", {n} {kind}" for kind, n in sorted(counts.items()))
    say(f"registry: {len(schools)} partner schools, standings ({new} new){shown}")


DEMO_SEEDER = DemoSeeder(name="registry", seed=demo_registry_seed)
