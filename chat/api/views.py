"""Chat API: thin views over chat.services and chat.selectors.

Someone who may not see a conversation, message or report gets 404, exactly as if it did not
exist. ``POST .../messages/`` answers 201 with a new message; the same ``client_id`` again
answers 200 with the message stored the first time (stored once).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCoordinator, current_user
from chat import selectors, services
from chat.api.serializers import (
    BlockOutput,
    ConversationOutput,
    ConversationStateOutput,
    HistoryQuery,
    MessageInput,
    MessageOutput,
    ReadInput,
    ReadOutput,
    ReasonInput,
    ReportInput,
    ReportOutput,
    ReportWithContext,
    ReportWithContextOutput,
    ResolveInput,
)
from chat.models import Report
from config.api import ApiViewMixin

ERROR = OpenApiResponse(description="A JSON object naming each bad field, or carrying detail.")
NOT_FOUND = OpenApiResponse(description="No such conversation, or not yours.")
REFUSED = OpenApiResponse(description="Closed or blocked conversation: {detail, code}.")


class ConversationListView(ApiViewMixin, APIView):
    @extend_schema(
        summary="List my conversations",
        description=(
            "The caller's conversations, with their participants, the number of unread "
            "messages and the last message."
        ),
        responses={200: ConversationOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.conversations_for_user(user=current_user(request))
        output = ConversationOutput(rows, many=True)  # type: ignore[arg-type]  # DRF's stubs reject many=True's list
        return Response(output.data)


class ConversationMessagesView(ApiViewMixin, APIView):
    @extend_schema(
        summary="List messages",
        description=(
            "The conversation's messages, oldest first, in pages of at most 100: "
            "`?after=<id>` for newer ones, `?before=<id>` for older ones."
        ),
        parameters=[HistoryQuery],
        responses={200: MessageOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get_for_user(
            conversation_id=conversation_id,
            user=current_user(request),
        )
        query = HistoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        messages = selectors.messages_page(conversation=conversation, **query.validated_data)
        return Response(MessageOutput(messages, many=True).data)

    @extend_schema(
        summary="Send a message",
        description=(
            "Stores the message and delivers it to every socket of the conversation. Sending "
            "the same `client_id` again stores it once and answers the stored message."
        ),
        request=MessageInput,
        responses={
            201: MessageOutput,
            200: OpenApiResponse(MessageOutput, description="This client_id was stored before."),
            400: ERROR,
            404: NOT_FOUND,
            409: REFUSED,
            429: OpenApiResponse(description="More than 5 messages a second."),
        },
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = services.message_post(
            conversation_id=conversation_id,
            sender=current_user(request),
            body=data.validated_data["body"],
            client_id=data.validated_data.get("client_id"),
        )
        return Response(
            MessageOutput(message).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConversationReadView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Mark messages read",
        description=(
            "Marks every message up to `message_id` as read for the caller (the mark never "
            "moves backwards) and tells the other participant."
        ),
        request=ReadInput,
        responses={200: ReadOutput, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = ReadInput(data=request.data)
        data.is_valid(raise_exception=True)
        message_id = data.validated_data["message_id"]
        seq = services.message_read(
            conversation_id=conversation_id,
            user=current_user(request),
            message_id=message_id,
        )
        return Response(ReadOutput({"message_id": message_id, "seq": seq}).data)


class ConversationBlockView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Block a conversation",
        description=(
            "A participant blocks the other: nobody can write in the conversation any more, "
            "and its sockets are told."
        ),
        request=None,
        responses={200: BlockOutput, 404: NOT_FOUND, 409: REFUSED},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        block = services.conversation_block(
            conversation_id=conversation_id, by=current_user(request)
        )
        return Response(BlockOutput(block).data)


class ConversationCloseView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Close a conversation",
        description=(
            "Coordinators only: closes the conversation; its sockets are told and nobody can "
            "write in it any more."
        ),
        request=ReasonInput,
        responses={200: ConversationStateOutput, 400: ERROR, 404: NOT_FOUND},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_close(
            conversation_id=conversation_id,
            by=current_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(ConversationStateOutput(conversation).data)


class MessageReportView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Report a message",
        description=(
            "A participant reports a message to the coordinators; while a report is open, "
            "coordinators may read the conversation."
        ),
        request=ReportInput,
        responses={
            201: ReportOutput,
            200: OpenApiResponse(ReportOutput, description="You already reported it."),
            400: ERROR,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, message_id: int) -> Response:
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report, created = services.report_create(
            message_id=message_id,
            reporter=current_user(request),
            reason=data.validated_data["reason"],
        )
        return Response(
            ReportOutput(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ReportListView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="List reports",
        description="Coordinators only: reported messages and their state.",
        responses={200: ReportWithContext(many=True)},
    )
    def get(self, request: Request) -> Response:
        wanted = request.query_params.get("status", Report.Status.OPEN)
        rows = selectors.reports_for_coordinator(
            status=wanted if wanted in Report.Status.values else None
        )
        output = ReportWithContextOutput(rows, many=True)  # type: ignore[arg-type]  # DRF's stubs reject many=True's list
        return Response(output.data)


class ReportResolveView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Resolve a report",
        description=(
            "Coordinators only: resolves the report. Without another open report on the "
            "conversation, coordinators can no longer read it."
        ),
        request=ResolveInput,
        responses={200: ReportOutput, 404: NOT_FOUND},
    )
    def post(self, request: Request, report_id: int) -> Response:
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_resolve(
            report_id=report_id,
            by=current_user(request),
            resolution=data.validated_data["resolution"],
        )
        return Response(ReportOutput(report).data)
