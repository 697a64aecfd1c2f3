"""Reads of programmes and applications shared by the API, the pages and the tasks.

Every list here runs a fixed number of queries whatever its length (the tests pin them)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from matching.models import Application, GroupRequest, HostDay, Program, Proposal


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
    # A student's live request to visit together, sent or received (at most one of each,
    # ``GroupRequest``'s constraints), with the other student: read by ``live_group``.
    live = GroupRequest.objects.filter(status__in=GroupRequest.LIVE)
    return Application.objects.select_related(
        "user",
        "user__student_profile",
        "user__student_profile__home_station",
        "user__host_profile",
        "user__host_profile__home_station",
    ).prefetch_related(
        Prefetch("days", queryset=HostDay.objects.order_by("date")),
        Prefetch(
            "group_requests_sent",
            live.select_related("invitee__user"),
            to_attr="live_groups_sent",
        ),
        Prefetch(
            "group_requests_received",
            live.select_related("inviter__user"),
            to_attr="live_groups_received",
        ),
    )


def live_group(application: Application) -> GroupRequest | None:
    """The application's pending or confirmed request to visit together, from what
    ``applications_of_program`` / ``application_get`` prefetched (no query)."""
    sent: list[GroupRequest] = getattr(application, "live_groups_sent", [])
    received: list[GroupRequest] = getattr(application, "live_groups_received", [])
    # One at most in all: the service keeps each application in one live request.
    both = [*sent, *received]
    return both[0] if both else None


def applications_of_program(*, program: Program) -> QuerySet[Application]:
    """Every application of a programme with its applicant and the applicant's full profile
    (private fields included: for coordinators only), and each student's live request to
    visit together (``live_group``), oldest first. Four queries in all."""
    return _applications_in_full().filter(program=program).order_by("role", "created_at", "id")


def application_get(*, application_id: int) -> Application:
    """One application as ``applications_of_program`` reads it, with its programme (for
    coordinators); Http404 when missing. Four queries."""
    found = _applications_in_full().select_related("program").filter(pk=application_id).first()
    if found is None:
        raise Http404
    return found


def application_of(*, program: Program, user: User) -> Application | None:
    return Application.objects.filter(program=program, user=user).first()


def application_holds_live_proposal(*, application: Application) -> bool:
    """Whether a published proposal of ``application`` is still live (waiting for answers or
    confirmed), on either side. While one is, the applicant may neither withdraw nor change
    the application: a published pair never loses a side, or its terms, silently. One query."""
    return (
        Proposal.objects.filter(status__in=Proposal.LIVE)
        .filter(Q(student_application=application) | Q(host_application=application))
        .exists()
    )


def program_days_over(program: Program, today: datetime.date | None = None) -> bool:
    """Whether every visit day of ``program`` has passed (a language exchange has none)."""
    if not program.dates:
        return False
    last = datetime.date.fromisoformat(max(program.dates))
    return last < (today or timezone.localdate())


def not_alone_misfit(program: Program, role: str) -> str | None:
    """Why a "not alone" wish does not fit an application of ``role`` to ``program``, or None:
    only a student of a home visit asks it."""
    if program.kind != Program.Kind.HOME_VISIT or role != Role.STUDENT:
        return _("Only a student of a home visit asks not to visit alone.")
    return None


def application_change_refusal(*, application: Application) -> dict[str, list[str]]:
    """Why the applicant may not change ``application`` now, by field, or {} when they may:
    it is active, its programme still runs rounds (open) and has a visit day to come, and it
    holds no live proposal.
    ``application_update`` checks it under the application's lock; the programme's page reads
    it to offer the change or say why not. One query, and one more for ``application.program``
    unless it is loaded."""
    if application.status != Application.Status.ACTIVE:
        return {"application": [_("This application is withdrawn.")]}
    if application.program.status != Program.Status.OPEN:
        return {"program": [_("This programme is closed.")]}
    if program_days_over(application.program):
        return {"program": [_("The days of this programme are over.")]}
    if application_holds_live_proposal(application=application):
        return {
            "application": [
                _("A visit is already proposed to you in this programme: it can no longer change.")
            ]
        }
    return {}
