"""Reads of programmes and applications shared by the API, the pages and the tasks.

Every list here runs a fixed number of queries whatever its length (the tests pin them)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from matching.models import Application, HostDay, Program


def _with_my_application(queryset: QuerySet[Program], user: User) -> QuerySet[Program]:
    """Attach the caller's own application (``my_applications``, a list of 0 or 1)."""
    mine = Application.objects.filter(user=user).prefetch_related(
        Prefetch("days", queryset=HostDay.objects.order_by("date"))
    )
    return queryset.prefetch_related(Prefetch("applications", mine, to_attr="my_applications"))


def _with_counts(queryset: QuerySet[Program]) -> QuerySet[Program]:
    active = Q(applications__status=Application.Status.ACTIVE)
    return queryset.annotate(
        student_count=Count("applications", filter=active & Q(applications__role=Role.STUDENT)),
        host_count=Count("applications", filter=active & Q(applications__role=Role.HOST)),
    )


def programs_visible_to(*, user: User) -> QuerySet[Program]:
    """Programmes open for applications and those ``user`` applied to; a coordinator sees all.

    Each row carries ``my_applications`` (the caller's application, if any) and, for a
    coordinator, ``student_count`` / ``host_count`` of active applications."""
    queryset = Program.objects.all()
    if user.role == Role.COORDINATOR:
        queryset = _with_counts(queryset)
    else:
        queryset = queryset.filter(
            Q(status=Program.Status.OPEN, apply_until__gt=timezone.now())
            | Q(pk__in=Application.objects.filter(user=user).values("program_id"))
        )
    return _with_my_application(queryset.order_by("-created_at", "-id"), user)


def program_get_visible(*, user: User, program_id: int) -> Program:
    """One programme as ``programs_visible_to`` shows it; Http404 when the caller may not
    see it (the same answer as a missing one)."""
    program = programs_visible_to(user=user).filter(pk=program_id).first()
    if program is None:
        raise Http404
    return program


def program_get(*, program_id: int) -> Program:
    """Any programme by id (for coordinators and for services that check the rules)."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise Http404
    return program


def _applications_in_full() -> QuerySet[Application]:
    return Application.objects.select_related(
        "user",
        "user__student_profile",
        "user__student_profile__home_station",
        "user__host_profile",
        "user__host_profile__home_station",
    ).prefetch_related(Prefetch("days", queryset=HostDay.objects.order_by("date")))


def applications_of_program(*, program: Program) -> QuerySet[Application]:
    """Every application of a programme with its applicant and the applicant's full profile
    (private fields included: for coordinators only), oldest first. Two queries in all."""
    return _applications_in_full().filter(program=program).order_by("role", "created_at", "id")


def application_get(*, application_id: int) -> Application:
    """One application as ``applications_of_program`` reads it, with its programme (for
    coordinators); Http404 when missing. Two queries."""
    found = _applications_in_full().select_related("program").filter(pk=application_id).first()
    if found is None:
        raise Http404
    return found


def application_of(*, program: Program, user: User) -> Application | None:
    return Application.objects.filter(program=program, user=user).first()
