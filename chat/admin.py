"""Chat in the admin: read-mostly; moderation itself goes through the services (the coordinator
pages and the API).

Coordinators read a conversation only while a report on it is open: they have no message
admin (``accounts.permissions.COORDINATOR_PERMISSIONS``), and a report shows the reported
message's body only while a report on its conversation is open."""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from chat.models import Block, Conversation, Membership, Message, Report
from chat.selectors import conversations_accessible


class MembershipInline(admin.TabularInline[Membership, Conversation]):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("last_read_seq", "digested_up_to_seq", "created_at")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ("id", "proposal", "status", "last_seq", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("proposal", "closed_by")
    readonly_fields = ("last_seq", "created_at", "closed_at")
    inlines = [MembershipInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("id", "conversation", "seq", "sender", "created_at")
    raw_id_fields = ("conversation", "sender")
    readonly_fields = ("seq", "client_id", "created_at")
    search_fields = ("body",)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin[Report]):
    list_display = ("id", "message", "reporter", "status", "created_at", "resolved_by")
    list_filter = ("status",)
    raw_id_fields = ("message", "conversation", "reporter", "resolved_by")
    readonly_fields = ("reported_message",)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Report | None:
        report = super().get_object(request, object_id, from_field)
        if report is not None:
            # Decided per request, on this request's own copy of the row.
            # The admin lets only staff accounts in: never an anonymous visitor.
            user = cast(User, request.user)
            report.body_shown = (  # type: ignore[attr-defined]  # read by reported_message
                user.is_superuser
                or conversations_accessible(user=user).filter(pk=report.conversation_id).exists()
            )
        return report

    @admin.display(description=_("reported message"))
    def reported_message(self, report: Report) -> str:
        if getattr(report, "body_shown", False):
            return report.message.body
        return str(_("Shown only while a report on this conversation is open."))


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin[Block]):
    list_display = ("id", "conversation", "blocker", "created_at")
    raw_id_fields = ("conversation", "blocker")
