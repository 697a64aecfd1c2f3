"""Rounds API (API.md, "Rounds"), coordinators only. Publishing lives in ``api/proposals.py``.

Thin views: permission → input serializer → one service or selector → output serializer."""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.fields import IdField
from accounts.models import User
from accounts.permissions import IsCoordinator
from config.api import ApiViewMixin
from matching.models import Application, Proposal, Round, Unplaced
from matching.selectors import programs as program_selectors
from matching.selectors import rounds as selectors
from matching.services import rounds as services

# --- Serializers ---------------------------------------------------------------------------


class RoundInput(serializers.Serializer):
    weights = serializers.DictField(child=serializers.FloatField(), required=False)
    pins = serializers.ListField(
        child=serializers.ListField(child=IdField(), min_length=2, max_length=2),
        required=False,
    )
    forbids = serializers.ListField(
        child=serializers.ListField(child=IdField(), min_length=2, max_length=2),
        required=False,
    )
    mode = serializers.ChoiceField(
        choices=Round.Mode.choices, required=False, default=Round.Mode.OPTIMAL
    )


class RoundStartedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    number = serializers.IntegerField()


def _host_name(app: Application) -> str:
    profile = getattr(app.user, "host_profile", None)
    return (profile.household_name if profile else "") or app.user.name


class RoundProposalOutput(serializers.ModelSerializer):
    student = serializers.SerializerMethodField()
    host = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "student_application",
            "host_application",
            "date",
            "score",
            "breakdown",
            "status",
            "student",
            "host",
        ]

    def get_student(self, obj: Proposal) -> dict[str, Any]:
        user = obj.student_application.user
        return {"user": user.pk, "name": user.name}

    def get_host(self, obj: Proposal) -> dict[str, Any]:
        app = obj.host_application
        return {"user": app.user_id, "name": _host_name(app)}


class RoundUnplacedOutput(serializers.ModelSerializer):
    role = serializers.CharField(source="application.role")
    name = serializers.SerializerMethodField()

    class Meta:
        model = Unplaced
        fields = ["application", "role", "name", "reasons"]

    def get_name(self, obj: Unplaced) -> str:
        app = obj.application
        return _host_name(app) if app.role == "host" else app.user.name


class RoundSummaryOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.name")

    class Meta:
        model = Round
        fields = [
            "id",
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


# The list shows each round's headline figures; the detail has every measure of the solver.
LIST_STATS = (
    "students",
    "hosts",
    "slots",
    "matched",
    "unmatched",
    "total_score",
    "mean_score",
    "min_score",
    "solve_ms",
    "blocking_pairs",
    "mode",
)


class RoundListOutput(RoundSummaryOutput):
    proposal_count = serializers.IntegerField()
    stats = serializers.SerializerMethodField()

    class Meta(RoundSummaryOutput.Meta):
        fields = [*RoundSummaryOutput.Meta.fields, "proposal_count"]

    def get_stats(self, obj: Round) -> dict[str, Any]:
        return {key: obj.stats[key] for key in LIST_STATS if key in (obj.stats or {})}


class RoundDetailOutput(RoundSummaryOutput):
    proposals = RoundProposalOutput(many=True, read_only=True)
    unmatched = RoundUnplacedOutput(source="unplaced", many=True, read_only=True)

    class Meta(RoundSummaryOutput.Meta):
        fields = [*RoundSummaryOutput.Meta.fields, "proposals", "unmatched"]


# --- Views ---------------------------------------------------------------------------------


def _caller(request: Request) -> User:
    # Every view here needs an authenticated user (the permission classes check it first).
    return cast(User, request.user)


class ProgramRoundsView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="List a programme's rounds",
        description="Coordinators only: the programme's matching rounds.",
        responses=RoundListOutput(many=True),
    )
    def get(self, request: Request, program_id: int) -> Response:
        program = program_selectors.program_get(program_id=program_id)
        rounds = selectors.rounds_of_program(program=program)
        return Response(RoundListOutput(rounds, many=True).data)

    @extend_schema(
        summary="Start a matching round",
        description=(
            "Coordinators only: queues a round with optional weights, pinned and forbidden "
            "pairs of application ids (202). Its status runs `queued`, `running`, then "
            "`draft`, or `failed` with `error`."
        ),
        request=RoundInput,
        responses={202: RoundStartedOutput},
    )
    def post(self, request: Request, program_id: int) -> Response:
        program = program_selectors.program_get(program_id=program_id)
        data = RoundInput(data=request.data)
        data.is_valid(raise_exception=True)
        rnd = services.round_start(program=program, by=_caller(request), **data.validated_data)
        # With eager Celery (the embedded mode) the round has already run by now.
        rnd.refresh_from_db(fields=["status"])
        return Response(
            {"id": rnd.pk, "status": rnd.status, "number": rnd.number},
            status=status.HTTP_202_ACCEPTED,
        )


class RoundDetailView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    # RoundDetailOutput documents the answer (and is what the rows are tested against); the
    # proposals come as plain rows, since serializing thousands of model instances through
    # it cost a coordinator seconds.
    @extend_schema(
        summary="Get a round",
        description=(
            "Coordinators only: a round's status, its statistics, the proposed pairs with "
            "their scores, and why each unmatched application was left out."
        ),
        responses=RoundDetailOutput,
    )
    def get(self, request: Request, round_id: int) -> Response:
        detail = selectors.round_detail_rows(round_id=round_id)
        data = RoundSummaryOutput(detail.round).data
        data["proposals"] = detail.proposals
        data["unmatched"] = detail.unmatched
        return Response(data)


urlpatterns: list[URLPattern] = [
    path(
        "programs/<int:program_id>/rounds/",
        ProgramRoundsView.as_view(),
        name="api-program-rounds",
    ),
    path("rounds/<int:round_id>/", RoundDetailView.as_view(), name="api-round"),
]
