"""Re-offers API: the freed seats of a programme offered again (coordinators). Thin:
permission → selector → output serializer."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCoordinator
from config.api import ApiViewMixin
from matching.models import Proposal, Reoffer
from matching.selectors import programs as program_selectors
from matching.selectors import reoffers as selectors


class ReofferProposalOutput(serializers.Serializer[Any]):
    """One side of a re-offer: the proposal, its state and its two people."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    date = serializers.DateField()
    deadline = serializers.DateTimeField(allow_null=True)
    student = serializers.CharField(source="student_application.user.name")
    family = serializers.SerializerMethodField()

    def get_family(self, obj: Proposal) -> str:
        user = obj.host_application.user
        profile = getattr(user, "host_profile", None)
        return (profile.household_name if profile else "") or user.name


class ReofferOutput(serializers.ModelSerializer[Reoffer]):
    freed = ReofferProposalOutput(read_only=True)
    proposal = ReofferProposalOutput(read_only=True, allow_null=True)

    class Meta:
        model = Reoffer
        fields = ["id", "outcome", "freed", "proposal", "created_at"]


class ProgramReoffersView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="List a programme's re-offers",
        description=(
            "Coordinators only: each seat freed by a decline, an expiry or a cancellation "
            "that was considered for a re-offer, newest first: the proposal that freed it, "
            "the outcome (`offered`, `nobody_fits`, `seat_gone`) and, when offered, the new "
            "proposal."
        ),
        responses=ReofferOutput(many=True),
    )
    def get(self, request: Request, program_id: int) -> Response:
        program = program_selectors.program_get(program_id=program_id)
        rows = selectors.reoffers_of_program(program=program)
        return Response(ReofferOutput(rows, many=True).data)


urlpatterns: list[URLPattern] = [
    path(
        "programs/<int:program_id>/reoffers/",
        ProgramReoffersView.as_view(),
        name="api-program-reoffers",
    ),
]
