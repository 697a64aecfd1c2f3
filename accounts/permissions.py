"""Who may do what: DRF permission classes and the coordinators' admin group."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import Group, Permission
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.models import Role, User

COORDINATOR_GROUP = "Coordinators"
COORDINATOR_APPS = ("accounts", "matching", "chat")


def current_user(request: Request) -> User:
    """The caller of an API view whose permission classes have ruled out anonymous visitors
    (every view but the few that allow any)."""
    return cast(User, request.user)


class IsCoordinator(BasePermission):
    message = "Only coordinators may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.COORDINATOR)


class IsStudentOrHost(BasePermission):
    message = "Only students and host families may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.STUDENT, Role.HOST))


def coordinator_group() -> Group:
    """The admin group of coordinators: every permission of Engawa's own apps, and of every
    other model the admin shows (groups, tokens, log-in lockouts), so that no admin page is
    closed to them."""
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    group, _created = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    # Proxy models (DRF's TokenProxy) carry their permissions on their own content type.
    shown = ContentType.objects.get_for_models(*admin.site._registry, for_concrete_models=False)
    perms = Permission.objects.filter(
        Q(content_type__app_label__in=COORDINATOR_APPS)
        | Q(content_type__in=[ct.pk for ct in shown.values()])
    )
    group.permissions.set(perms)
    return group
