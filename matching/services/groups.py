"""Visiting together: a student of a home visit asks another student of the same programme (a
friend or a sibling, named by e-mail address or by name) to visit together; the other confirms
or declines. A confirmed request is a group: every round places the two on one family and day,
or neither (``matching.selectors.rounds.applications_for_round`` hands the pairs to the solver).
Declining, leaving, or withdrawing either application ends it.

Locks, in this order everywhere: the two student applications (lower id first), then the
request row; ``application_withdraw`` holds its application's lock when it ends the requests.
Each change tells the other student by e-mail and on their notification stream, in their own
language, on commit (``matching.services.group_notices``).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from matching.models import Application, Delivery, GroupRequest, Program
from matching.selectors.programs import application_holds_live_proposal
from matching.services.group_notices import group_notify


class GroupRequestNotFound(ObjectDoesNotExist):
    """No such request for this student: missing, or the student is not one of its two (404)."""


class GroupConflict(Exception):
    """The request's state does not allow this (409). ``str()`` is a translated sentence."""


def _require_student(user: User) -> None:
    if user.role != Role.STUDENT:
        raise PermissionDenied(_("Only students visit together."))


def _lock_applications(*ids: int) -> dict[int, Application]:
    """The applications, locked in id order (the one order every path takes)."""
    rows = (
        Application.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {app.pk: app for app in rows}


def _live_request_of(*applications: Application) -> GroupRequest | None:
    return (
        GroupRequest.objects.filter(status__in=GroupRequest.LIVE)
        .filter(Q(inviter__in=applications) | Q(invitee__in=applications))
        .first()
    )


def _find_invitee(program: Program, mine: Application, email: str, name: str) -> Application:
    """The one other active student application of ``program`` whose applicant has ``email``
    (any case) or exactly ``name`` (any case, spaces evened); ValidationError naming the field
    otherwise. Only students of the same programme are found: the inviter learns nothing of
    anyone else."""
    email, name = email.strip(), " ".join(name.split())
    if bool(email) == bool(name):
        raise ValidationError(
            {"email": [_("Give your friend's e-mail address or their name (one of the two).")]}
        )
    field = "email" if email else "name"
    me = mine.user
    if (
        email.casefold() == me.email.casefold()
        or name.casefold() == " ".join(me.name.split()).casefold()
    ):
        raise ValidationError({field: [_("You cannot invite yourself.")]})
    candidates = (
        Application.objects.filter(
            program=program,
            role=Role.STUDENT,
            status=Application.Status.ACTIVE,
            user__is_active=True,
        )
        .exclude(pk=mine.pk)
        .select_related("user")
    )
    if email:
        candidates = candidates.filter(user__email__iexact=email)
    else:
        candidates = candidates.filter(user__name__iexact=name)
    found = list(candidates[:2])
    if not found:
        raise ValidationError(
            {
                field: [
                    _(
                        "No student of this programme has this e-mail address or name. Your "
                        "friend must apply to the same programme first."
                    )
                ]
            }
        )
    if len(found) > 1:
        raise ValidationError(
            {"name": [_("Several students of this programme have this name: give the e-mail.")]}
        )
    return found[0]


@transaction.atomic
def group_request_create(
    *,
    program: Program,
    by: User,
    email: str = "",
    name: str = "",
    relation: str = GroupRequest.Relation.FRIEND,
) -> GroupRequest:
    """``by`` (a student with an active application to ``program``) invites the student of the
    same programme that ``email`` or ``name`` names, to visit together as ``relation``.

    Locks both applications. On commit: the invitation's e-mail and live event to the invitee.
    Raises PermissionDenied (not a student); ValidationError (nothing stored): the programme is
    not an open home visit ("program"), ``by`` has not applied ("program"), nobody or several
    match ("email" / "name"), the two share no day ("dates"), either already has a proposal in
    the programme or a live request to visit together ("program")."""
    _require_student(by)
    if program.kind != Program.Kind.HOME_VISIT:
        raise ValidationError({"program": [_("Only home visits are made together.")]})
    if program.status != Program.Status.OPEN:
        raise ValidationError({"program": [_("This programme is closed.")]})
    mine = (
        Application.objects.filter(program=program, user=by, status=Application.Status.ACTIVE)
        .select_related("user")
        .first()
    )
    if mine is None:
        raise ValidationError({"program": [_("Apply to this programme first.")]})
    other = _find_invitee(program, mine, email, name)
    locked = _lock_applications(mine.pk, other.pk)
    mine, other = locked[mine.pk], locked[other.pk]
    if other.status != Application.Status.ACTIVE or mine.status != Application.Status.ACTIVE:
        raise ValidationError({"program": [_("Apply to this programme first.")]})
    if not set(mine.dates) & set(other.dates):
        raise ValidationError(
            {
                "dates": [
                    _("You and %(name)s have no day in common: you cannot visit together.")
                    % {"name": other.user.name}
                ]
            }
        )
    if any(application_holds_live_proposal(application=app) for app in (mine, other)):
        raise ValidationError(
            {"program": [_("A visit of this programme is already proposed to one of you.")]}
        )
    live = _live_request_of(mine, other)
    if live is not None:
        mine_live = mine.pk in (live.inviter_id, live.invitee_id)
        raise ValidationError(
            {
                "program": [
                    _("You already have an invitation to visit together in this programme.")
                    if mine_live
                    else _("%(name)s already has an invitation to visit together.")
                    % {"name": other.user.name}
                ]
            }
        )
    request = GroupRequest.objects.create(
        program=program, inviter=mine, invitee=other, relation=relation
    )
    group_notify(request=request, kind=Delivery.Kind.GROUP_INVITED, recipient=other.user)
    return request


def _lock_request(request_id: int, by: User) -> GroupRequest:
    """The request, locked after its two applications, if ``by`` is one of its two students;
    GroupRequestNotFound otherwise (the same answer as a missing one)."""
    ids = (
        GroupRequest.objects.filter(pk=request_id)
        .values_list("inviter_id", "invitee_id", "inviter__user_id", "invitee__user_id")
        .first()
    )
    if ids is None or by.pk not in ids[2:]:
        raise GroupRequestNotFound
    _lock_applications(ids[0], ids[1])
    return (
        GroupRequest.objects.select_for_update(of=("self",))
        .select_related("program", "inviter__user", "invitee__user")
        .get(pk=request_id)
    )


@transaction.atomic
def group_request_confirm(*, request_id: int, by: User) -> GroupRequest:
    """The invited student confirms: the two are now a group.

    Locks the two applications, then the request. On commit: the confirmation's e-mail and
    live event to the inviter. Raises GroupRequestNotFound (not one of the two, or missing);
    GroupConflict when ``by`` is the inviter, the request is no longer pending, or a visit of
    the programme is already proposed to one of them."""
    _require_student(by)
    request = _lock_request(request_id, by)
    if request.inviter.user_id == by.pk:
        raise GroupConflict(_("Only the invited student can confirm."))
    if request.status != GroupRequest.Status.PENDING:
        raise GroupConflict(_("This invitation is no longer open."))
    two = (request.inviter, request.invitee)
    if any(application_holds_live_proposal(application=app) for app in two):
        raise GroupConflict(_("A visit of this programme is already proposed to one of you."))
    request.status = GroupRequest.Status.CONFIRMED
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    group_notify(
        request=request, kind=Delivery.Kind.GROUP_CONFIRMED, recipient=request.inviter.user
    )
    return request


def _end(request: GroupRequest, by: User, status: str) -> GroupRequest:
    """End a live request (locked by the caller) and tell the other student."""
    request.status = status
    request.ended_by = by
    request.ended_at = timezone.now()
    fields = ["status", "ended_by", "ended_at"]
    if status == GroupRequest.Status.DECLINED:
        request.answered_at = request.ended_at
        fields.append("answered_at")
    request.save(update_fields=fields)
    other = request.invitee.user if request.inviter.user_id == by.pk else request.inviter.user
    group_notify(request=request, kind=Delivery.Kind.GROUP_ENDED, recipient=other)
    return request


@transaction.atomic
def group_request_decline(*, request_id: int, by: User) -> GroupRequest:
    """Either student says no: the invited one declines a pending invitation, the inviter
    withdraws it, and either ends a confirmed group (each is then placed on their own).

    Locks the two applications, then the request. On commit: an e-mail and live event to the
    other student. Raises GroupRequestNotFound; GroupConflict when it has ended already."""
    _require_student(by)
    request = _lock_request(request_id, by)
    if request.status == GroupRequest.Status.PENDING:
        mine = request.inviter.user_id == by.pk
        status = GroupRequest.Status.CANCELLED if mine else GroupRequest.Status.DECLINED
    elif request.status == GroupRequest.Status.CONFIRMED:
        status = GroupRequest.Status.DISSOLVED
    else:
        raise GroupConflict(_("This invitation has already ended."))
    return _end(request, by, status)


def group_requests_end_for_application(*, application: Application, by: User) -> list[int]:
    """Inside the transaction that withdraws ``application`` (locked by the caller): end its
    live requests to visit together, telling the other student. Returns their ids."""
    live = list(
        GroupRequest.objects.select_for_update(of=("self",))
        .select_related("program", "inviter__user", "invitee__user")
        .filter(status__in=GroupRequest.LIVE)
        .filter(Q(inviter=application) | Q(invitee=application))
    )
    for request in live:
        status = (
            GroupRequest.Status.DISSOLVED
            if request.status == GroupRequest.Status.CONFIRMED
            else GroupRequest.Status.CANCELLED
            if request.inviter_id == application.pk
            else GroupRequest.Status.DECLINED
        )
        _end(request, application.user, status)
    return [request.pk for request in live]
