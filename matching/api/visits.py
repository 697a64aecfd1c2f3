"""The visit day's API: a visit's meeting time and place, and what happened on it. Thin:
input serializer → one service → output. A user who is not a party gets 404."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from accounts.permissions import current_user
from config.api import ApiViewMixin
from matching.api.proposal_shapes import (
    CONFLICT,
    NOT_FOUND,
    AttendanceInput,
    AttendanceOutput,
    MeetingInput,
    MeetingOutput,
)
from matching.selectors import proposals as selectors
from matching.selectors.meeting import meeting_for
from matching.services import attendance as attendance_services
from matching.services import meeting as meeting_services


class IsHostOrCoordinator(BasePermission):
    """Families set their visits' meetings, coordinators any; a student never does."""

    message = "Only the family or a coordinator may change the meeting."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.HOST, Role.COORDINATOR))


class ProposalMeetingView(ApiViewMixin, APIView):
    permission_classes = [IsHostOrCoordinator]

    @extend_schema(
        summary="Change a visit's meeting",
        description=(
            "The family of a confirmed visit (or a coordinator) sets the visit's own meeting "
            "time (Japan time) and place instead of the programme's default for the day, "
            "until noon the day before the visit (409 after that). The student is told by "
            "e-mail and on the live stream. A student gets 403, another family 404."
        ),
        request=MeetingInput,
        responses={200: MeetingOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request: Request, proposal_id: int) -> Response:
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = current_user(request)
        meeting_services.meeting_change(proposal_id=proposal_id, by=user, **data.validated_data)
        proposal = selectors.proposal_visible_to(proposal_id=proposal_id, user=user)
        assert proposal is not None  # the service just found it
        return Response(meeting_for(proposal=proposal, viewer=user).as_json())


class ProposalAttendanceView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Record what happened on a visit",
        description=(
            "The student, the family or a coordinator records the visit's outcome, from the "
            "visit day on (400 naming `outcome` before it): `held`, `student_absent`, "
            "`host_cancelled_on_day` or `cancelled_early`. A side's second record replaces "
            "its first; a coordinator's settles the outcome when the two sides disagree. 409 "
            "for a proposal that was never confirmed."
        ),
        request=AttendanceInput,
        responses={
            201: AttendanceOutput,
            400: OpenApiResponse(description="A field error, or before the visit day."),
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, proposal_id: int) -> Response:
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = attendance_services.attendance_record(
            proposal_id=proposal_id, by=current_user(request), **data.validated_data
        )
        return Response(AttendanceOutput(record).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path(
        "proposals/<int:proposal_id>/meeting/",
        ProposalMeetingView.as_view(),
        name="api-proposal-meeting",
    ),
    path(
        "proposals/<int:proposal_id>/attendance/",
        ProposalAttendanceView.as_view(),
        name="api-proposal-attendance",
    ),
]
