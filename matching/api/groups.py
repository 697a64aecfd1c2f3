"""Visiting together API (docs/API.md, "Visiting together"): a student invites another student
of the same home visit, who confirms or declines. Students only; a student who is not one of a
request's two gets 404. Thin: permission → input serializer → one service or selector →
output. Also the shape of a student's group in the coordinators' list of applications
(``matching.api.programs``)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsStudent, current_user
from config.api import ApiViewMixin
from matching.models import Application, GroupRequest
from matching.selectors import groups as selectors
from matching.selectors import programs as program_selectors
from matching.services import groups as services

NAME_MAX = User._meta.get_field("name").max_length
NOT_FOUND = OpenApiResponse(description="Missing, or the caller is not one of its two students.")
CONFLICT = OpenApiResponse(description='{"detail": "..."}: the request\'s state forbids it.')


class GroupInviteInput(serializers.Serializer[Any]):
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text="The friend's e-mail address; or give their name instead.",
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NAME_MAX,
        help_text="The friend's name as in their account (any case); or give the e-mail.",
    )
    relation = serializers.ChoiceField(
        choices=GroupRequest.Relation.choices, default=GroupRequest.Relation.FRIEND
    )


class PartnerOutput(serializers.Serializer[Any]):
    name = serializers.CharField()


class GroupRequestOutput(serializers.Serializer[Any]):
    """A request as one of its two students sees it: the other student by name only."""

    id = serializers.IntegerField()
    program = serializers.IntegerField()
    program_name = serializers.CharField()
    relation = serializers.ChoiceField(choices=GroupRequest.Relation.choices)
    status = serializers.ChoiceField(choices=GroupRequest.Status.choices)
    side = serializers.ChoiceField(
        choices=["inviter", "invitee"], help_text="Whether the caller sent it or was invited."
    )
    partner = PartnerOutput()
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)


def request_row(request: GroupRequest, viewer: User) -> dict[str, Any]:
    """The output's fields of ``request`` for ``viewer`` (one of its two students); reads
    only what ``selectors.group_requests_of`` joined."""
    sent = request.inviter.user_id == viewer.pk
    other = request.invitee.user if sent else request.inviter.user
    return {
        "id": request.pk,
        "program": request.program_id,
        "program_name": request.program.display_name,
        "relation": request.relation,
        "status": request.status,
        "side": "inviter" if sent else "invitee",
        "partner": {"name": other.name},
        "created_at": request.created_at,
        "answered_at": request.answered_at,
        "ended_at": request.ended_at,
    }


class GroupPartnerOutput(serializers.Serializer[Any]):
    application = serializers.IntegerField()
    user = serializers.IntegerField()
    name = serializers.CharField()


class ApplicationGroupOutput(serializers.Serializer[Any]):
    """A student's live request to visit together, as a coordinator sees it."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=[s.value for s in GroupRequest.LIVE],
        help_text="confirmed: a group; pending: an invitation.",
    )
    relation = serializers.ChoiceField(choices=GroupRequest.Relation.choices)
    side = serializers.ChoiceField(
        choices=["inviter", "invitee"], help_text="Whether this student sent it or was invited."
    )
    partner = GroupPartnerOutput()


def application_group_row(application: Application) -> dict[str, Any] | None:
    """The ``ApplicationGroupOutput`` of a student's live request to visit together, from what
    ``program_selectors.applications_of_program`` prefetched (no query), or None."""
    live = program_selectors.live_group(application)
    if live is None:
        return None
    sent = live.inviter_id == application.pk
    partner = live.invitee if sent else live.inviter
    return {
        "id": live.pk,
        "status": live.status,
        "relation": live.relation,
        "side": "inviter" if sent else "invitee",
        "partner": {"application": partner.pk, "user": partner.user_id, "name": partner.user.name},
    }


def _answer(request_id: int, user: User, code: int = status.HTTP_200_OK) -> Response:
    found = selectors.group_request_of(user=user, request_id=request_id)
    if found is None:
        raise NotFound
    return Response(GroupRequestOutput(request_row(found, user)).data, status=code)


class GroupRequestListView(ApiViewMixin, APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        summary="List my requests to visit together",
        description="Students only: the invitations the caller sent or received, newest first.",
        responses=GroupRequestOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        user = current_user(request)
        rows = [request_row(r, user) for r in selectors.group_requests_of(user=user)]
        return Response(GroupRequestOutput(rows, many=True).data)


class ProgramGroupRequestView(ApiViewMixin, APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        summary="Invite a friend to visit together",
        description=(
            "Students only: invite another student of the same home visit, named by e-mail "
            "address or by name, to visit together. Only students who applied to the "
            "programme are found. Once the friend confirms, every round places the two with "
            "the same family on the same day, or neither. 400 names the reason: no or several"
            " matching students, no day in common, a proposal or an invitation already there."
        ),
        request=GroupInviteInput,
        responses={201: GroupRequestOutput, 404: NOT_FOUND},
    )
    def post(self, request: Request, program_id: int) -> Response:
        user = current_user(request)
        program = program_selectors.program_get_visible(user=user, program_id=program_id)
        data = GroupInviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.group_request_create(program=program, by=user, **data.validated_data)
        return _answer(created.pk, user, status.HTTP_201_CREATED)


class GroupRequestDetailView(ApiViewMixin, APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        summary="Get a request to visit together",
        description="One of the caller's requests.",
        responses={200: GroupRequestOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, request_id: int) -> Response:
        return _answer(request_id, current_user(request))


class GroupRequestConfirmView(ApiViewMixin, APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        summary="Confirm an invitation to visit together",
        description=(
            "The invited student confirms: the two are now placed together or not at all. "
            "409 for the inviter, for an invitation no longer pending, or when a visit of the "
            "programme is already proposed to one of the two."
        ),
        request=None,
        responses={200: GroupRequestOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = current_user(request)
        services.group_request_confirm(request_id=request_id, by=user)
        return _answer(request_id, user)


class GroupRequestDeclineView(ApiViewMixin, APIView):
    permission_classes = [IsStudent]

    @extend_schema(
        summary="Decline, withdraw or leave a request to visit together",
        description=(
            "Either student says no: the invited one declines (status `declined`), the "
            "inviter withdraws the invitation (`cancelled`), or either ends a confirmed group "
            "(`dissolved`); each is then placed on their own. 409 once it has ended."
        ),
        request=None,
        responses={200: GroupRequestOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, request_id: int) -> Response:
        user = current_user(request)
        services.group_request_decline(request_id=request_id, by=user)
        return _answer(request_id, user)


urlpatterns: list[URLPattern] = [
    path("group-requests/", GroupRequestListView.as_view(), name="api-group-requests"),
    path(
        "programs/<int:program_id>/group-requests/",
        ProgramGroupRequestView.as_view(),
        name="api-program-group-requests",
    ),
    path(
        "group-requests/<int:request_id>/",
        GroupRequestDetailView.as_view(),
        name="api-group-request",
    ),
    path(
        "group-requests/<int:request_id>/confirm/",
        GroupRequestConfirmView.as_view(),
        name="api-group-request-confirm",
    ),
    path(
        "group-requests/<int:request_id>/decline/",
        GroupRequestDeclineView.as_view(),
        name="api-group-request-decline",
    ),
]
