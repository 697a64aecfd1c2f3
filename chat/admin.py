"""Chat in the admin: read-mostly; moderation itself goes through the API's services."""

from __future__ import annotations

from django.contrib import admin

from chat.models import Block, Conversation, Membership, Message, Report


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


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin[Block]):
    list_display = ("id", "conversation", "blocker", "created_at")
    raw_id_fields = ("conversation", "blocker")
