"""Admin for matching: coordinators look up programmes, applications, rounds and proposals.

Status changes of rounds and proposals go through the services (publish, answer, expire), so
those are read-only here; the proposal's audit trail is never edited. Coordinators only look
(``accounts.permissions.COORDINATOR_PERMISSIONS``), apart from a programme's name and
description."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from matching.models import (
    Application,
    Delivery,
    Feedback,
    HostDay,
    Program,
    Proposal,
    ProposalEvent,
    Round,
    Unplaced,
)

_Child = TypeVar("_Child", bound=models.Model)
_Parent = TypeVar("_Parent", bound=models.Model)


class ReadOnlyInline(admin.TabularInline[_Child, _Parent]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin[Program]):
    list_display = ["name", "kind", "status", "apply_until", "response_hours", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "description"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    readonly_fields = ["created_by", "created_at", "closed_at", "purged_at"]
    # program_create checks the kind, the dates and the deadline, program_close the status:
    # a coordinator changes those through the coordinator pages, never here.
    coordinator_editable = ("name", "description")

    def get_readonly_fields(self, request: HttpRequest, obj: Program | None = None) -> Any:
        if request.user.is_superuser:
            return self.readonly_fields
        return [f.name for f in Program._meta.fields if f.name not in self.coordinator_editable]


class HostDayInline(admin.TabularInline[HostDay, Application]):
    model = HostDay
    extra = 0
    fields = ["date", "seats", "seats_taken"]
    # seats_taken moves only with live proposals, under the services' row locks.
    readonly_fields = ["seats_taken"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ["id", "user", "program", "role", "status", "times_unplaced", "created_at"]
    list_filter = ["role", "status", "program__kind", "program"]
    search_fields = ["user__name", "user__email", "program__name"]
    list_select_related = ["user", "program"]
    raw_id_fields = ["user", "program"]
    readonly_fields = ["times_unplaced", "created_at"]
    inlines = [HostDayInline]


class UnplacedInline(ReadOnlyInline[Unplaced, Round]):
    model = Unplaced
    fields = ["application", "reasons"]
    readonly_fields = ["application", "reasons"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin[Round]):
    list_display = ["__str__", "number", "status", "mode", "created_by", "created_at"]
    list_filter = ["status", "mode", "program"]
    search_fields = ["program__name"]
    list_select_related = ["program", "created_by"]
    readonly_fields = [
        "program",
        "number",
        "status",
        "mode",
        "weights",
        "pins",
        "forbids",
        "stats",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "published_at",
    ]
    inlines = [UnplacedInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Rounds start through round_start, which validates and enqueues the run.
        return False


_EVENT_FIELDS = ["created_at", "from_status", "to_status", "actor", "on_behalf_of", "reason"]


class ProposalEventInline(ReadOnlyInline[ProposalEvent, Proposal]):
    model = ProposalEvent
    fields = tuple(_EVENT_FIELDS)
    readonly_fields = tuple(_EVENT_FIELDS)


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin[Proposal]):
    list_display = ["id", "program", "round", "date", "status", "score", "deadline"]
    list_filter = ["status", "program"]
    search_fields = [
        "student_application__user__name",
        "student_application__user__email",
        "host_application__user__name",
        "host_application__user__email",
    ]
    list_select_related = ["program", "round", "round__program"]
    readonly_fields = [field.name for field in Proposal._meta.fields if field.name not in ("id",)]
    inlines = [ProposalEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Unplaced)
class UnplacedAdmin(admin.ModelAdmin[Unplaced]):
    list_display = ["id", "round", "application"]
    list_filter = ["round__program"]
    search_fields = ["application__user__name", "application__user__email"]
    list_select_related = [
        "round",
        "round__program",
        "application",
        "application__user",
        "application__program",
    ]
    readonly_fields = ["round", "application", "reasons"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ["id", "proposal", "author", "rating", "would_meet_again", "created_at"]
    list_filter = ["rating", "would_meet_again"]
    search_fields = ["author__name", "author__email", "comment"]
    list_select_related = ["proposal", "author"]
    readonly_fields = ["proposal", "author", "rating", "would_meet_again", "created_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["id", "kind", "proposal", "user", "sent_at", "attempts"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["proposal", "user"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
