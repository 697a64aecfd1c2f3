"""Who may do what: DRF permission classes and the coordinators' admin group."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Role, User

COORDINATOR_GROUP = "Coordinators"

# What the coordinators' admin group may do, and nothing more. Their work goes through the
# coordinator pages and the API's services (programmes, rounds, proposals, reports); the admin
# adds looking things up, fixing people's names and languages, (de)activating accounts,
# keeping the reference lists, renaming a programme and unlocking a locked-out account.
# Never: tokens, tickets, permissions, groups, chat messages (a report's page shows the
# reported one while it is open), or rows the services own (states, audit trails, deliveries).
COORDINATOR_PERMISSIONS = frozenset(
    {
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_studentprofile",
        "accounts.view_hostprofile",
        *(
            f"accounts.{action}_{model}"
            for model in (
                "spokenlanguage",
                "station",
                "diet",
                "allergen",
                "interest",
                "vettingcheck",
                "partnerschool",
            )
            for action in ("add", "change", "view")
        ),
        "accounts.view_registrypolicy",
        "accounts.change_registrypolicy",
        "accounts.view_registryrecord",
        "accounts.view_checkrecord",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "chat.view_conversation",
        "chat.view_membership",
        "chat.view_report",
        "chat.view_block",
        "matching.view_program",
        "matching.change_program",
        "matching.view_application",
        "matching.view_hostday",
        "matching.view_round",
        "matching.view_unplaced",
        "matching.view_proposal",
        "matching.view_proposalevent",
        "matching.view_feedback",
        "matching.view_delivery",
    }
)


def current_user(request: Request) -> User:
    """The caller of an API view whose permission classes have ruled out anonymous visitors
    (every view but the few that allow any)."""
    return cast(User, request.user)


class IsCoordinator(BasePermission):
    message = "Only coordinators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.COORDINATOR)


class IsStudent(BasePermission):
    message = "Only students may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.STUDENT)


class IsStudentOrHost(BasePermission):
    message = "Only students and host families may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.STUDENT, Role.HOST))


def coordinator_group() -> Group:
    """The coordinators' admin group, holding exactly ``COORDINATOR_PERMISSIONS``."""
    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    coordinator_permissions_sync(group=group)
    return group


def coordinator_permissions_sync(*, group: Group | None = None) -> None:
    """Set the coordinators' group to ``COORDINATOR_PERMISSIONS``: run after every migrate, so
    that a group made by an older release (which had every permission) loses the rest."""
    if group is None:
        group = Group.objects.filter(name=COORDINATOR_GROUP).first()
        if group is None:
            return
    wanted = Q()
    for label in COORDINATOR_PERMISSIONS:
        app_label, codename = label.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))


def sync_after_migrate(**kwargs: Any) -> None:
    coordinator_permissions_sync()
