"""The registry's API: a coordinator reads a person's standing and records checks, suspends a
family or confirms a student; a family or a student renews and a student picks a school.
Thin views over ``accounts.registry``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.fields import IdField
from accounts.api.standing import StandingOutput, standing_shape
from accounts.models import User
from accounts.permissions import IsCoordinator, IsStudentOrHost, current_user
from accounts.registry import selectors, services
from accounts.registry.models import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from config.api import ApiViewMixin

ERROR = OpenApiResponse(description="A JSON object naming each bad field, or carrying detail.")
NOT_FOUND = OpenApiResponse(description="No student or family with this id.")
CONFLICT = OpenApiResponse(description="The person's role or standing forbids it: `detail`.")


class CheckOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    check = serializers.CharField()
    name = serializers.CharField()
    done_on = serializers.DateField()
    note = serializers.CharField()
    recorded_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class CheckStateOutput(serializers.Serializer[Any]):
    check = serializers.CharField()
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # DRF's metaclass pops it

    done_on = serializers.DateField(allow_null=True)
    current = serializers.BooleanField()


class PersonOutput(StandingOutput):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField(help_text="`student` or `host`.")
    first_approved_on = serializers.DateField(allow_null=True)
    confirmed_via = serializers.CharField()
    suspended_reason = serializers.CharField()
    checks = CheckStateOutput(many=True, help_text="Families: each of the association's checks.")
    history = CheckOutput(many=True, help_text="Families: every check recorded, newest first.")


class CheckInput(serializers.Serializer[Any]):
    check = serializers.CharField(max_length=40)
    done_on = serializers.DateField()
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class SuspendInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class RenewalInput(serializers.Serializer[Any]):
    unchanged = serializers.BooleanField(
        help_text="true: nothing changed; false: the profile was just edited."
    )


class SchoolInput(serializers.Serializer[Any]):
    school = IdField()


def _check_row(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "check": row.vetting_check_id,
        "name": row.vetting_check.label(),
        "done_on": row.done_on,
        "note": row.note,
        "recorded_by": row.recorded_by.name if row.recorded_by else None,
        "created_at": row.created_at,
    }


def person_shape(person: selectors.Person) -> dict[str, Any]:
    record = person.record
    return {
        "id": person.user.pk,
        "name": person.user.name,
        "email": person.user.email,
        "role": person.user.role,
        **standing_shape(person.user, record),
        "first_approved_on": record.first_approved_on if record else None,
        "confirmed_via": record.confirmed_via if record else "",
        "suspended_reason": record.suspended_reason if record else "",
        "checks": [
            {
                "check": s.check.code,
                "name": s.check.label(),
                "required": s.check.required,
                "done_on": s.record.done_on if s.record else None,
                "current": s.current,
            }
            for s in person.checks
        ],
        "history": [_check_row(row) for row in person.history],
    }


def _person(user_id: int) -> dict[str, Any]:
    person = selectors.person_of(user_id=user_id)
    if person is None:
        raise User.DoesNotExist
    return person_shape(person)


class PersonView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="A person's standing",
        description=(
            "A student or a family: `status` (families pending, approved, expired, suspended;"
            " students pending, confirmed, expired), `valid_until` and the family's checks."
        ),
        responses={200: PersonOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, user_id: int) -> Response:
        return Response(_person(user_id))


class PersonCheckView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Record a check",
        description=(
            "Records that a family passed one of the association's checks (codes in "
            "`GET /api/reference/` `vetting_checks`); when every required check is then "
            "current the family is approved for the policy's period."
        ),
        request=CheckInput,
        responses={201: PersonOutput, 400: ERROR, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, user_id: int) -> Response:
        data = CheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        done_on: dt.date = data.validated_data["done_on"]
        services.check_record(
            user_id=user_id,
            check=data.validated_data["check"],
            done_on=done_on,
            note=data.validated_data.get("note", ""),
            by=current_user(request),
        )
        return Response(_person(user_id), status=status.HTTP_201_CREATED)


class PersonSuspendView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Suspend a family",
        description=(
            "The family is matched no more; its open proposals and coming visits are "
            "cancelled and both sides told."
        ),
        request=SuspendInput,
        responses={200: PersonOutput, 400: ERROR, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, user_id: int) -> Response:
        data = SuspendInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.person_suspend(
            user_id=user_id, reason=data.validated_data["reason"], by=current_user(request)
        )
        return Response(_person(user_id))


class PersonConfirmView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Confirm a student",
        description="Confirms a student's enrolment until the end of the academic year.",
        request=None,
        responses={200: PersonOutput, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, user_id: int) -> Response:
        services.student_confirm(user_id=user_id, by=current_user(request))
        return Response(_person(user_id))


class RenewalView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="Renew my registration",
        description=(
            "A family renews its approval for another period (`unchanged`: nothing changed "
            "since; false after editing the profile); 409 when a required check has lapsed or "
            "the family is pending or suspended. A student is confirmed for the coming "
            "academic year at once by the school's e-mail domain, else the request waits for "
            "a coordinator (`renewal_requested`)."
        ),
        request=RenewalInput,
        responses={200: StandingOutput, 400: ERROR, 409: CONFLICT},
    )
    def post(self, request: Request) -> Response:
        data = RenewalInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = current_user(request)
        record = services.renewal_submit(user=user, unchanged=data.validated_data["unchanged"])
        return Response(standing_shape(user, record))


class SchoolView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="Choose my school",
        description=(
            "A student picks a partner school (ids in `GET /api/reference/` `schools`); a "
            "verified address on its e-mail domains confirms the student at once. 409 for a "
            "family."
        ),
        request=SchoolInput,
        responses={200: StandingOutput, 400: ERROR, 409: CONFLICT},
    )
    def post(self, request: Request) -> Response:
        data = SchoolInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = current_user(request)
        record = services.student_school_choose(user=user, school_id=data.validated_data["school"])
        return Response(standing_shape(user, record))


urlpatterns: list[URLPattern] = [
    path("people/<int:user_id>/", PersonView.as_view(), name="api-person"),
    path("people/<int:user_id>/checks/", PersonCheckView.as_view(), name="api-person-checks"),
    path("people/<int:user_id>/suspend/", PersonSuspendView.as_view(), name="api-person-suspend"),
    path("people/<int:user_id>/confirm/", PersonConfirmView.as_view(), name="api-person-confirm"),
    path("me/renewal/", RenewalView.as_view(), name="api-me-renewal"),
    path("me/school/", SchoolView.as_view(), name="api-me-school"),
]
