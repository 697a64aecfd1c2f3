"""Chat API shapes: input serializers check shape only; the rules are in chat.services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from chat.models import CLIENT_ID_MAX, REASON_MAX_LENGTH, Message, Report
from chat.selectors import ConversationRow, ReportRow


class MessageOutput(serializers.ModelSerializer[Message]):
    sender = serializers.IntegerField(source="sender_id")
    conversation = serializers.IntegerField(source="conversation_id")
    client_id = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "seq", "conversation", "sender", "body", "created_at", "client_id"]

    def get_client_id(self, message: Message) -> str | None:
        return message.client_id or None


class ParticipantOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class ConversationOutput(serializers.Serializer[ConversationRow]):
    id = serializers.IntegerField(source="conversation.pk")
    proposal = serializers.IntegerField(source="conversation.proposal_id")
    status = serializers.CharField(source="conversation.status")
    closed_reason = serializers.CharField(source="conversation.closed_reason")
    participants = ParticipantOutput(many=True)
    unread_count = serializers.IntegerField()
    last_message = MessageOutput(allow_null=True)


class MessageInput(serializers.Serializer[Any]):
    # Body rules (1..CHAT_MAX_BODY after strip) live in the service, shared with the socket.
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    client_id = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=CLIENT_ID_MAX
    )


class HistoryQuery(serializers.Serializer[Any]):
    after = serializers.IntegerField(required=False, min_value=0)
    before = serializers.IntegerField(required=False, min_value=1)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "after" in attrs and "before" in attrs:
            raise serializers.ValidationError({"before": [_("Give after or before, not both.")]})
        return attrs


class ReadInput(serializers.Serializer[Any]):
    message_id = serializers.IntegerField(min_value=1)


class ReadOutput(serializers.Serializer[Any]):
    message_id = serializers.IntegerField()
    seq = serializers.IntegerField()


class ReportInput(serializers.Serializer[Any]):
    # Blank is the service's 400 ("say what is wrong"), shared with the pages.
    reason = serializers.CharField(allow_blank=True, max_length=REASON_MAX_LENGTH)


class ReasonInput(serializers.Serializer[Any]):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )


class ResolveInput(serializers.Serializer[Any]):
    resolution = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )


class UserBrief(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReportOutput(serializers.ModelSerializer[Report]):
    reporter = UserBrief()
    resolved_by = UserBrief(allow_null=True)
    message = MessageOutput()
    conversation = serializers.IntegerField(source="conversation_id")

    class Meta:
        model = Report
        fields = [
            "id",
            "conversation",
            "message",
            "reporter",
            "reason",
            "status",
            "created_at",
            "resolved_by",
            "resolved_at",
            "resolution",
        ]


class ReportWithContextOutput(serializers.Serializer[ReportRow]):
    report = ReportOutput()
    # Not named "context": that is the serializer's own context dict.
    around = MessageOutput(source="context", many=True)

    def to_representation(self, instance: ReportRow) -> dict[str, Any]:
        data = super().to_representation(instance)
        return {**data["report"], "context": data["around"]}


class ReportWithContext(ReportOutput):
    """For the schema: what ``ReportWithContextOutput`` writes (the report's own fields, flat,
    and the messages around it as ``context``)."""

    context = MessageOutput(many=True)  # type: ignore[assignment]  # DRF's metaclass moves fields off the class

    class Meta(ReportOutput.Meta):
        fields = [*ReportOutput.Meta.fields, "context"]


class ConversationStateOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    closed_reason = serializers.CharField()


class BlockOutput(serializers.Serializer[Any]):
    conversation = serializers.IntegerField(source="conversation_id")
    blocker = serializers.IntegerField(source="blocker_id")
    created_at = serializers.DateTimeField()
