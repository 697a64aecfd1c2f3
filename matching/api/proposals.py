"""Proposals API: publishing a round, the parties' answers, the coordinators' follow-up, the
audit trail and feedback. Thin: permission → input serializer → one service or selector →
output. A user who is not a party gets 404; a state that forbids the action, 409."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCoordinator, IsStudentOrHost, current_user
from config.api import ApiViewMixin
from matching.api.proposal_shapes import (
    CONFLICT,
    NOT_FOUND,
    CancelInput,
    CoordinatorProposalOutput,
    DeclineInput,
    EventOutput,
    FeedbackInput,
    FeedbackOutput,
    OnBehalfInput,
    ProposalOutput,
    PublishOutput,
    RemindOutput,
    StatusQuery,
    coordinator_views,
    party_row,
    reloaded_view,
    view_for,
)
from matching.models import Program, Proposal
from matching.selectors import proposals as selectors
from matching.services import feedback as feedback_services
from matching.services import proposals as services


class RoundPublishView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Publish a round",
        description=(
            "Coordinators only: sends a draft round's proposals to both sides. A proposal "
            "whose student or seat was taken since the round ran is listed in `skipped`. 409 "
            "when the round is not a draft or another round of the programme is published and"
            " still open."
        ),
        request=None,
        responses={200: PublishOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, round_id: int) -> Response:
        result = services.round_publish(round_id=round_id, by=current_user(request))
        return Response(
            {
                "id": result.round.pk,
                "status": result.round.status,
                "published": result.published,
                "skipped": result.skipped,
            }
        )


class ProposalListView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="List my proposals",
        description=(
            "The caller's own proposals, with the other side's public profile; after "
            "confirmation, the conversation's id (and for a student, the family's address and"
            " phone)."
        ),
        responses=ProposalOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.party_proposals(user=current_user(request))
        return Response([party_row(row) for row in rows])


class ProposalDetailView(ApiViewMixin, APIView):
    # A party reads its side (ProposalOutput), a coordinator both sides.
    @extend_schema(
        summary="Get a proposal",
        description="One proposal: a side sees its own view of it, a coordinator both sides.",
        responses={
            200: PolymorphicProxySerializer(
                component_name="ProposalView",
                serializers=[ProposalOutput, CoordinatorProposalOutput],
                resource_type_field_name=None,
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, proposal_id: int) -> Response:
        proposal = selectors.proposal_visible_to(
            proposal_id=proposal_id, user=current_user(request)
        )
        if proposal is None:
            raise NotFound()
        return Response(view_for(proposal, current_user(request)))


class ProposalAcceptView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="Accept a proposal",
        description=(
            "One side accepts; when both have, the proposal is confirmed and a conversation "
            "opens. 409 when it expired, was declined or was answered already."
        ),
        request=None,
        responses={200: ProposalOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        services.proposal_accept(proposal_id=proposal_id, by=current_user(request))
        return Response(reloaded_view(proposal_id, current_user(request)))


class ProposalDeclineView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="Decline a proposal",
        description=(
            "One side declines, with an optional reason. 409 when it expired or was answered "
            "already."
        ),
        request=DeclineInput,
        responses={200: ProposalOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        data = DeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.proposal_decline(
            proposal_id=proposal_id, by=current_user(request), **data.validated_data
        )
        return Response(reloaded_view(proposal_id, current_user(request)))


class ProposalCancelView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Cancel a proposal",
        description=(
            "Coordinators only: cancels the proposal; a confirmed match's conversation turns "
            "read-only."
        ),
        request=CancelInput,
        responses={200: CoordinatorProposalOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.proposal_cancel(
            proposal_id=proposal_id, by=current_user(request), reason=data.validated_data["reason"]
        )
        return Response(reloaded_view(proposal_id, current_user(request)))


class ProposalOnBehalfView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Answer for a side",
        description=(
            "Coordinators only: records the answer a side gave by phone or on paper; the "
            "history names the coordinator and the side."
        ),
        request=OnBehalfInput,
        responses={200: CoordinatorProposalOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        data = OnBehalfInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.proposal_answer_on_behalf(
            proposal_id=proposal_id, by=current_user(request), **data.validated_data
        )
        return Response(reloaded_view(proposal_id, current_user(request)))


class ProposalRemindView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Remind the sides",
        description="Coordinators only: reminds the sides that have not answered the proposal yet.",
        request=None,
        responses={200: RemindOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        reminded = services.proposal_remind(proposal_id=proposal_id, by=current_user(request))
        return Response({"proposal": proposal_id, "reminded": reminded})


class ProposalEventsView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="A proposal's history",
        description=(
            "Coordinators only: every change of the proposal's state, with who made it, when,"
            " and for whom."
        ),
        responses={200: EventOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, proposal_id: int) -> Response:
        get_object_or_404(Proposal, pk=proposal_id)
        events = selectors.proposal_events(proposal_id=proposal_id)
        return Response(EventOutput(events, many=True).data)


class ProgramProposalsView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="List a programme's proposals",
        description=(
            "Coordinators only: every published proposal of the programme (or those of one "
            "status), with `waiting_for`: the sides that have not answered yet."
        ),
        parameters=[StatusQuery],
        responses={200: CoordinatorProposalOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, program_id: int) -> Response:
        get_object_or_404(Program, pk=program_id)
        query = StatusQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data.get("status") or None
        rows = selectors.proposals_for_program(program_id=program_id, status=wanted)
        return Response(coordinator_views(list(rows), current_user(request)))


class IsPartyWriterOrCoordinatorReader(BasePermission):
    """Parties leave feedback; coordinators read it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method == "POST":
            return IsStudentOrHost().has_permission(request, view)
        return IsCoordinator().has_permission(request, view)


class ProposalFeedbackView(ApiViewMixin, APIView):
    permission_classes = [IsPartyWriterOrCoordinatorReader]

    @extend_schema(
        summary="Give feedback on a visit",
        description=(
            "A side of a confirmed proposal, after the visit day, once. The comment is read "
            "by coordinators only."
        ),
        request=FeedbackInput,
        responses={201: FeedbackOutput, 400: OpenApiResponse(), 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        data = FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_services.feedback_leave(
            proposal_id=proposal_id, by=current_user(request), **data.validated_data
        )
        return Response(FeedbackOutput(feedback).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a visit's feedback",
        description="Coordinators only: the feedback the sides gave on the visit.",
        responses={200: FeedbackOutput(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, proposal_id: int) -> Response:
        get_object_or_404(Proposal, pk=proposal_id)
        rows = selectors.proposal_feedback(proposal_id=proposal_id)
        return Response(FeedbackOutput(rows, many=True).data)


urlpatterns: list[URLPattern] = [
    path("rounds/<int:round_id>/publish/", RoundPublishView.as_view(), name="api-round-publish"),
    path("proposals/", ProposalListView.as_view(), name="api-proposals"),
    path("proposals/<int:proposal_id>/", ProposalDetailView.as_view(), name="api-proposal"),
    path(
        "proposals/<int:proposal_id>/accept/",
        ProposalAcceptView.as_view(),
        name="api-proposal-accept",
    ),
    path(
        "proposals/<int:proposal_id>/decline/",
        ProposalDeclineView.as_view(),
        name="api-proposal-decline",
    ),
    path(
        "proposals/<int:proposal_id>/cancel/",
        ProposalCancelView.as_view(),
        name="api-proposal-cancel",
    ),
    path(
        "proposals/<int:proposal_id>/answer-on-behalf/",
        ProposalOnBehalfView.as_view(),
        name="api-proposal-on-behalf",
    ),
    path(
        "proposals/<int:proposal_id>/remind/",
        ProposalRemindView.as_view(),
        name="api-proposal-remind",
    ),
    path(
        "proposals/<int:proposal_id>/events/",
        ProposalEventsView.as_view(),
        name="api-proposal-events",
    ),
    path(
        "proposals/<int:proposal_id>/feedback/",
        ProposalFeedbackView.as_view(),
        name="api-proposal-feedback",
    ),
    path(
        "programs/<int:program_id>/proposals/",
        ProgramProposalsView.as_view(),
        name="api-program-proposals",
    ),
]
