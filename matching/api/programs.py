"""Programmes and applications API (API.md, "Programmes and applications"). Thin views:
permission → input serializer → one service or selector → output serializer."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.fields import CodeList, ReferenceCode
from accounts.models import HostProfile, StudentProfile
from accounts.permissions import IsCoordinator, IsStudentOrHost, current_user
from accounts.reference_data import WEEKLY_SLOTS
from accounts.selectors import profile_of
from accounts.services import HOST_FIELDS, STUDENT_FIELDS
from config.api import ApiViewMixin, refuse_unknown_fields
from matching.api.groups import ApplicationGroupOutput, application_group_row
from matching.models import SEATS_MAX, Application, Program
from matching.selectors import programs as selectors
from matching.services import programs as services

# --- Serializers ---------------------------------------------------------------------------


class DayOrMoment(serializers.DateTimeField):
    """An ISO 8601 date and time, or a bare date: ``program_create`` reads a date as the end
    of that day ("apply until 1 March" means the whole of 1 March)."""

    # Any: DRF's stubs allow a datetime only, and a date is an answer here too.
    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and len(value.strip()) == len("YYYY-MM-DD"):
            return serializers.DateField().to_internal_value(value.strip())
        return super().to_internal_value(value)


class ProgramInput(serializers.ModelSerializer[Program]):
    dates = serializers.ListField(
        child=serializers.DateField(), min_length=1, max_length=Program.MAX_DATES
    )
    apply_until = DayOrMoment()

    class Meta:
        model = Program
        fields = [
            "name",
            "kind",
            "dates",
            "apply_until",
            "response_hours",
            "description",
            "unplaced_twice_first",
            "language_level",
            "allow_easy_japanese",
            "reoffer",
            "reoffer_lead_days",
        ]
        # API.md's body names it; the model's range still applies.
        extra_kwargs = {"response_hours": {"required": True}}


class ApplyInput(serializers.Serializer[Any]):
    dates = serializers.ListField(
        child=serializers.DateField(), required=False, max_length=Program.MAX_DATES
    )
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=SEATS_MAX
    )
    date_ranking = serializers.ListField(
        child=serializers.DateField(),
        required=False,
        max_length=Program.MAX_DATES,
        help_text="Home visit, student: some or all of dates, most wanted first; the first "
        "choice scores more.",
    )
    not_alone = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Home visit, student: place me only where a second student visits the same "
        "family the same day (meant for beginners).",
    )
    teaches = CodeList(
        child=ReferenceCode(table="languages"),
        required=False,
        max_length=Application.MAX_LANGUAGES,
    )
    learns = CodeList(
        child=ReferenceCode(table="languages"),
        required=False,
        max_length=Application.MAX_LANGUAGES,
    )
    format = serializers.ChoiceField(choices=Application.Format.choices, required=False)
    time_slots = CodeList(
        child=serializers.ChoiceField(choices=[slot.code for slot in WEEKLY_SLOTS]),
        required=False,
        max_length=Application.MAX_TIME_SLOTS,
        help_text="Language exchange: the times the applicant is free each week, codes "
        "<weekday>-<part of the day> such as sat-am (GET /api/reference/ lists them as "
        "weekly_slots). Optional, but partners are paired only when they share a slot.",
    )


class ApplicationChangeInput(serializers.Serializer[Any]):
    """What an applicant may change after applying; any other field is a 400 naming it."""

    not_alone = serializers.BooleanField(
        help_text="Home visit, student: true to be placed only where a second student visits "
        "the same family the same day, false to be placed on your own as well.",
    )


class HostDayOutput(serializers.Serializer[Any]):
    date = serializers.DateField()
    seats = serializers.IntegerField()
    seats_taken = serializers.IntegerField()


class ApplicationOutput(serializers.ModelSerializer[Application]):
    """An application as its author (or a coordinator) sees it."""

    days = HostDayOutput(many=True, read_only=True)
    capacity = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "program",
            "role",
            "status",
            "dates",
            "date_ranking",
            "not_alone",
            "capacity",
            "days",
            "teaches",
            "learns",
            "format",
            "time_slots",
            "times_unplaced",
            "created_at",
        ]

    def get_capacity(self, obj: Application) -> int | None:
        days = list(obj.days.all())
        return max(day.seats for day in days) if days else None


class ProgramOutput(serializers.ModelSerializer[Program]):
    my_application = serializers.SerializerMethodField()
    accepting_applications = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "dates",
            "apply_until",
            "response_hours",
            "unplaced_twice_first",
            "language_level",
            "allow_easy_japanese",
            "reoffer",
            "reoffer_lead_days",
            "status",
            "accepting_applications",
            "created_at",
            "closed_at",
            "my_application",
        ]

    def get_accepting_applications(self, obj: Program) -> bool:
        return obj.status == Program.Status.OPEN and obj.apply_until > timezone.now()

    def get_my_application(self, obj: Program) -> dict[str, Any] | None:
        mine = getattr(obj, "my_applications", None)
        if not mine:
            return None
        return dict(ApplicationOutput(mine[0]).data)

    def to_representation(self, instance: Program) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        # Counts are annotated for coordinators only (selectors.programs_visible_to).
        if hasattr(instance, "student_count"):
            data["student_count"] = getattr(instance, "student_count", 0)
            data["host_count"] = getattr(instance, "host_count", 0)
        return data


def _full_profile(profile: StudentProfile | HostProfile | None) -> dict[str, Any] | None:
    """Every profile field, private ones included: this is the coordinators' view."""
    if profile is None:
        return None
    # The profile's own field lists, so a field added to profiles reaches coordinators too.
    fields = STUDENT_FIELDS if isinstance(profile, StudentProfile) else HOST_FIELDS
    data: dict[str, Any] = {}
    for field in fields:
        if field == "home_station":
            data[field] = profile.home_station_id
        elif field == "nationality" and isinstance(profile, StudentProfile):
            data[field] = profile.nationality.code or ""
        else:
            data[field] = getattr(profile, field)
    return data


class ApplicantOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField()
    preferred_language = serializers.CharField()


class CoordinatorApplicationOutput(ApplicationOutput):
    applicant = ApplicantOutput(source="user", read_only=True)
    profile = serializers.SerializerMethodField()
    group = serializers.SerializerMethodField()

    class Meta(ApplicationOutput.Meta):
        fields = [*ApplicationOutput.Meta.fields, "applicant", "profile", "group"]

    def get_profile(self, obj: Application) -> dict[str, Any] | None:
        return _full_profile(profile_of(obj.user))

    @extend_schema_field(ApplicationGroupOutput(allow_null=True))
    def get_group(self, obj: Application) -> dict[str, Any] | None:
        return application_group_row(obj)


# --- Views ---------------------------------------------------------------------------------


class ProgramListView(ApiViewMixin, APIView):
    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [IsCoordinator()]
        return [IsAuthenticated()]

    @extend_schema(
        summary="List programmes",
        description="Programmes open for applications, and those the caller applied to.",
        responses=ProgramOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        programs = selectors.programs_visible_to(user=current_user(request))
        return Response(ProgramOutput(programs, many=True).data)

    @extend_schema(
        summary="Create a programme",
        description=(
            "Coordinators only: a programme of home visits or language exchange, with its "
            "dates, the time applications close and the hours a side has to answer a "
            "proposal."
        ),
        request=ProgramInput,
        responses={201: ProgramOutput},
    )
    def post(self, request: Request) -> Response:
        data = ProgramInput(data=request.data)
        data.is_valid(raise_exception=True)
        program = services.program_create(by=current_user(request), **data.validated_data)
        program = selectors.program_get_visible(user=current_user(request), program_id=program.pk)
        return Response(ProgramOutput(program).data, status=status.HTTP_201_CREATED)


class ProgramDetailView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Get a programme",
        description="One programme the caller may see.",
        responses=ProgramOutput,
    )
    def get(self, request: Request, program_id: int) -> Response:
        program = selectors.program_get_visible(user=current_user(request), program_id=program_id)
        return Response(ProgramOutput(program).data)


class ProgramCloseView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Close a programme",
        description="Coordinators only: stops new applications.",
        request=None,
        responses=ProgramOutput,
    )
    def post(self, request: Request, program_id: int) -> Response:
        program = selectors.program_get(program_id=program_id)
        services.program_close(program=program, by=current_user(request))
        program = selectors.program_get_visible(user=current_user(request), program_id=program_id)
        return Response(ProgramOutput(program).data)


class ProgramApplyView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="Apply to a programme",
        description=(
            "A student or a host family applies with the dates they can do (a family also "
            "with how many guests). The account's e-mail address must be confirmed (403 "
            "otherwise). 400 says why an application is refused: an incomplete profile, after"
            " applications closed, a date outside the programme, or applied already."
        ),
        request=ApplyInput,
        responses={201: ApplicationOutput},
    )
    def post(self, request: Request, program_id: int) -> Response:
        program = selectors.program_get(program_id=program_id)
        data = ApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_submit(
            program=program, user=current_user(request), **data.validated_data
        )
        return Response(ApplicationOutput(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change my application",
        description=(
            "A student of a home visit turns `not_alone` on or off after applying, while the "
            "application is active, the programme open and no visit of it proposed (the rule "
            "that also governs withdrawing). 400 names the field: a value that is not a "
            "boolean, any other field, a family's or a language exchange's application "
            "(`not_alone`), a closed programme (`program`), a withdrawn or proposed "
            "application (`application`); nothing changes. 404 when the caller has no "
            "application."
        ),
        request=ApplicationChangeInput,
        responses={200: ApplicationOutput},
    )
    def patch(self, request: Request, program_id: int) -> Response:
        user = current_user(request)
        program = selectors.program_get_visible(user=user, program_id=program_id)
        application = selectors.application_of(program=program, user=user)
        if application is None:
            raise Http404
        refuse_unknown_fields(request, ApplicationChangeInput)
        data = ApplicationChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_update(
            application=application, by=user, **data.validated_data
        )
        return Response(ApplicationOutput(application).data)


class ProgramWithdrawView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    @extend_schema(
        summary="Withdraw an application",
        description="The caller withdraws their application to the programme.",
        request=None,
        responses=ApplicationOutput,
    )
    def post(self, request: Request, program_id: int) -> Response:
        program = selectors.program_get_visible(user=current_user(request), program_id=program_id)
        application = selectors.application_of(program=program, user=current_user(request))
        if application is None:
            raise Http404
        application = services.application_withdraw(
            application=application, by=current_user(request)
        )
        return Response(ApplicationOutput(application).data)


class ProgramApplicationsView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="List a programme's applications",
        description=(
            "Coordinators only: every application to the programme, with its applicant's "
            "profile and, for a student, the live request to visit together (`group`: the "
            "confirmed partner or the pending invitation, null when none)."
        ),
        responses=CoordinatorApplicationOutput(many=True),
    )
    def get(self, request: Request, program_id: int) -> Response:
        program = selectors.program_get(program_id=program_id)
        applications = selectors.applications_of_program(program=program)
        return Response(CoordinatorApplicationOutput(applications, many=True).data)


urlpatterns: list[URLPattern] = [
    path("programs/", ProgramListView.as_view(), name="api-programs"),
    path("programs/<int:program_id>/", ProgramDetailView.as_view(), name="api-program"),
    path("programs/<int:program_id>/close/", ProgramCloseView.as_view(), name="api-program-close"),
    path("programs/<int:program_id>/apply/", ProgramApplyView.as_view(), name="api-program-apply"),
    path(
        "programs/<int:program_id>/withdraw/",
        ProgramWithdrawView.as_view(),
        name="api-program-withdraw",
    ),
    path(
        "programs/<int:program_id>/applications/",
        ProgramApplicationsView.as_view(),
        name="api-program-applications",
    ),
]
