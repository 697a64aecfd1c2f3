"""Rounds API (API.md, "Rounds"), coordinators only. Publishing lives in ``api/proposals.py``.

Thin views: permission → input serializer → one service or selector → output serializer."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.fields import IdField
from accounts.permissions import IsCoordinator, current_user
from config.api import ApiViewMixin
from matching.models import Proposal, Round
from matching.selectors import programs as program_selectors
from matching.selectors import rounds as selectors
from matching.services import rounds as services
from matching.solver.score import MAX_WEIGHT

# --- Serializers ---------------------------------------------------------------------------


def _pairs() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ListField(child=IdField(), min_length=2, max_length=2),
        required=False,
        max_length=Round.MAX_PAIRS,
    )


class RoundInput(serializers.Serializer[Any]):
    weights = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=MAX_WEIGHT), required=False
    )
    pins = _pairs()
    forbids = _pairs()
    mode = serializers.ChoiceField(
        choices=Round.Mode.choices, required=False, default=Round.Mode.OPTIMAL
    )


class RoundStartedOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    number = serializers.IntegerField()


class PartyOutput(serializers.Serializer[Any]):
    user = serializers.IntegerField()
    name = serializers.CharField(help_text="A family by its household name.")


class RoundProposalOutput(serializers.Serializer[Any]):
    """A row of ``selectors.round_detail``'s proposals."""

    id = serializers.IntegerField()
    student_application = serializers.IntegerField()
    host_application = serializers.IntegerField()
    date = serializers.DateField()
    score = serializers.FloatField()
    breakdown = serializers.DictField(child=serializers.FloatField())
    status = serializers.ChoiceField(choices=Proposal.Status.choices)
    student = PartyOutput()
    host = PartyOutput()
    group_partner = serializers.IntegerField(
        allow_null=True,
        help_text="The application of the student placed together with this one (a group), "
        "or null.",
    )
    not_alone = serializers.BooleanField(
        help_text="The student asked not to visit alone: another student shares the day."
    )


class RoundUnplacedOutput(serializers.Serializer[Any]):
    """A row of ``selectors.round_detail``'s unplaced applicants."""

    application = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField(help_text="A family by its household name.")
    reasons = serializers.ListField(child=serializers.DictField())


class RoundSummaryOutput(serializers.ModelSerializer[Round]):
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
            "lottery_seed",
            "groups",
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
    """Documents the answer; the view adds the selector's rows as they are (the test checks
    them against these fields)."""

    proposals = RoundProposalOutput(many=True, read_only=True)
    unmatched = RoundUnplacedOutput(many=True, read_only=True)

    class Meta(RoundSummaryOutput.Meta):
        fields = [*RoundSummaryOutput.Meta.fields, "proposals", "unmatched"]


# --- Views ---------------------------------------------------------------------------------


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
        rnd = services.round_start(program=program, by=current_user(request), **data.validated_data)
        # With eager Celery (the embedded mode) the round has already run by now.
        rnd.refresh_from_db(fields=["status"])
        return Response(
            {"id": rnd.pk, "status": rnd.status, "number": rnd.number},
            status=status.HTTP_202_ACCEPTED,
        )


class RoundDetailView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    # The rows go out as the selector reads them: through a serializer, a round's thousands of
    # proposals cost the coordinator several times longer.
    @extend_schema(
        summary="Get a round",
        description=(
            "Coordinators only: a round's status, its statistics, the proposed pairs with "
            "their scores, and why each unmatched application was left out."
        ),
        responses=RoundDetailOutput,
    )
    def get(self, request: Request, round_id: int) -> Response:
        detail = selectors.round_detail(round_id=round_id)
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
