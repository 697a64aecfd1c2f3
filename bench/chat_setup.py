"""The chat benchmarks' data: a migrated database of their own, confirmed pairs with their
conversations, tickets, and what was stored (to check the clients against)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from bench.common import ROOT


def database_prepare(postgres: str, name: str) -> str:
    """A fresh, migrated database for the benchmark; returns its URL."""
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{postgres}/{name}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
    )
    return url


def django_setup(database_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def pairs_make(count: int, tag: str) -> list[tuple[int, int, int]]:
    """``count`` confirmed proposals with their conversations: (conversation, student, host)."""
    from django.utils import timezone

    from accounts.models import Role, User
    from chat.services import conversation_open
    from matching.models import Application, Program, Proposal, Round

    def user(email: str, role: str) -> User:
        u = User(email=email, name=email.split("@")[0], role=role, preferred_language="en")
        u.set_unusable_password()
        return u

    coordinator = User.objects.create(
        email=f"coordinator-{tag}@bench.example", name="Bench", role=Role.COORDINATOR
    )
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    program = Program.objects.create(
        name=f"bench {tag}",
        kind=Program.Kind.HOME_VISIT,
        dates=[day],
        apply_until=timezone.now() + dt.timedelta(days=10),
        created_by=coordinator,
    )
    round_ = Round.objects.create(
        program=program, number=1, status=Round.Status.PUBLISHED, created_by=coordinator
    )
    students = User.objects.bulk_create(
        [user(f"s{n}-{tag}@bench.example", Role.STUDENT) for n in range(count)]
    )
    hosts = User.objects.bulk_create(
        [user(f"h{n}-{tag}@bench.example", Role.HOST) for n in range(count)]
    )
    applications = Application.objects.bulk_create(
        [Application(program=program, user=u, role=u.role, dates=[day]) for u in students + hosts]
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                round=round_,
                program=program,
                student_application=applications[n],
                host_application=applications[count + n],
                date=day,
                score=0.0,
                status=Proposal.Status.CONFIRMED,
            )
            for n in range(count)
        ]
    )
    out = []
    for n, proposal in enumerate(proposals):
        conversation = conversation_open(proposal=proposal)
        out.append((conversation.pk, students[n].pk, hosts[n].pk))
    return out


def ticket_for(user_id: int) -> str:
    from django.db import connection

    from accounts.models import User
    from accounts.services import ws_ticket_issue

    try:
        return ws_ticket_issue(user=User(pk=user_id))
    finally:
        connection.close()  # back to the pool: these threads outlive their event loop


def stored_messages(conversation_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    from django.db import connection

    try:
        return _stored_messages(conversation_ids)
    finally:
        connection.close()  # back to the pool, as in ticket_for


def _stored_messages(conversation_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    from chat.models import Message

    out: dict[int, list[tuple[int, str]]] = {c: [] for c in conversation_ids}
    rows = (
        Message.objects.filter(conversation_id__in=conversation_ids)
        .order_by("conversation_id", "seq")
        .values_list("conversation_id", "id", "client_id")
    )
    for conversation_id, message_id, client_id in rows:
        out[conversation_id].append((message_id, client_id))
    return out


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
