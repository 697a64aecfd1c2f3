"""bench/api_load.py's data set: 1 000 students and 550 families with complete profiles, a
published round of 1 000 proposals, 200 confirmed with a conversation of 5 messages each."""

from __future__ import annotations

import datetime as dt
from typing import Any

STUDENTS, HOSTS, CONFIRMED, MESSAGES = 1000, 550, 200, 5


def create_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def seed() -> dict[str, Any]:
    """Bulk rows for the data set; returns the tokens and the round id."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import HostProfile, Role, StudentProfile, User
    from accounts.services import token_for
    from chat.services import conversation_open, message_post
    from matching.models import Application, HostDay, Program, Proposal, Round

    password = make_password("bench-password-not-used")
    coordinators = User.objects.bulk_create(
        [
            User(
                email=f"coord{i}@bench.example",
                name=f"Coordinator {i}",
                role=Role.COORDINATOR,
                is_staff=True,
                password=password,
            )
            for i in range(50)
        ]
    )
    students = User.objects.bulk_create(
        [
            User(
                email=f"s{i}@bench.example",
                name=f"Student {i}",
                role=Role.STUDENT,
                password=password,
                preferred_language="en",
            )
            for i in range(STUDENTS)
        ]
    )
    hosts = User.objects.bulk_create(
        [
            User(
                email=f"h{i}@bench.example",
                name=f"Host {i}",
                role=Role.HOST,
                password=password,
                preferred_language="ja",
            )
            for i in range(HOSTS)
        ]
    )
    StudentProfile.objects.bulk_create(
        [
            StudentProfile(
                user=u,
                nationality="VN",
                gender="female",
                birth_year=2001,
                school="Asia U",
                languages=[{"code": "vi", "level": "native"}, {"code": "ja", "level": "advanced"}],
                diet=[],
                allergies=[],
                needs_non_smoking=False,
                interests=["cooking"],
                home_station_id="kichijoji",
                max_travel_minutes=60,
                bio="Hello",
            )
            for u in students
        ]
    )
    HostProfile.objects.bulk_create(
        [
            HostProfile(
                user=u,
                household_name=f"Family {u.pk}",
                household_size=3,
                has_children=True,
                languages=[{"code": "ja", "level": "native"}],
                pets=[],
                smoking=False,
                diets_supported=[],
                allergens_avoidable=[],
                interests=["cooking"],
                home_station_id="mitaka",
                guest_gender_preference="any",
                address=f"{u.pk}-1-1 Naka-cho",
                phone="0422-00-0000",
                bio="Welcome",
            )
            for u in hosts
        ]
    )
    day = timezone.localdate() + dt.timedelta(days=30)
    program = Program.objects.create(
        name="Autumn visits",
        kind=Program.Kind.HOME_VISIT,
        dates=[day.isoformat()],
        apply_until=timezone.now() + dt.timedelta(days=10),
        response_hours=72,
        created_by=coordinators[0],
    )
    s_apps = Application.objects.bulk_create(
        [
            Application(program=program, user=u, role=Role.STUDENT, dates=[day.isoformat()])
            for u in students
        ]
    )
    h_apps = Application.objects.bulk_create(
        [
            Application(program=program, user=u, role=Role.HOST, dates=[day.isoformat()])
            for u in hosts
        ]
    )
    HostDay.objects.bulk_create(
        [HostDay(application=a, date=day, seats=2, seats_taken=0) for a in h_apps]
    )
    now = timezone.now()
    round_ = Round.objects.create(
        program=program,
        number=1,
        status=Round.Status.PUBLISHED,
        created_by=coordinators[0],
        stats={"students": STUDENTS, "hosts": HOSTS, "matched": STUDENTS},
        started_at=now,
        finished_at=now,
        published_at=now,
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                round=round_,
                program=program,
                student_application=s,
                date=day,
                host_application=h_apps[i % HOSTS],
                score=50.0 + i % 40,
                breakdown={"language": 20.0, "interests": 10.0, "travel": 20.0},
                status=Proposal.Status.PROPOSED,
                deadline=now + dt.timedelta(hours=72),
            )
            for i, s in enumerate(s_apps)
        ]
    )
    conversation_students = []
    for proposal in proposals[:CONFIRMED]:
        Proposal.objects.filter(pk=proposal.pk).update(
            status=Proposal.Status.CONFIRMED,
            confirmed_at=now,
            student_answer="accept",
            host_answer="accept",
        )
        proposal.refresh_from_db()
        conversation = conversation_open(proposal=proposal)
        student = proposal.student_application.user
        for n in range(MESSAGES):
            message_post(conversation_id=conversation.pk, sender=student, body=f"hello {n}")
        conversation_students.append(student)
    key = {u.pk: token_for(user=u) for u in [*coordinators, *students, *hosts]}
    # Planner statistics, as autovacuum keeps them for a live database: without them a
    # freshly bulk-loaded table looks empty and the plans are not the ones production gets.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "round": round_.pk,
        "proposals": len(proposals),
        "student_tokens": [key[u.pk] for u in students[CONFIRMED : CONFIRMED + 50]],
        "host_tokens": [key[u.pk] for u in hosts[:50]],
        "conversation_tokens": [key[u.pk] for u in conversation_students[:50]],
        "coordinator_tokens": [key[u.pk] for u in coordinators],
    }
