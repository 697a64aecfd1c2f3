"""The report to the city (coordinators): ``GET /api/reports/summary/`` as JSON and
``GET /api/reports/summary.xlsx`` as a workbook, one sheet per table. Both are downloads: small
counts are masked ("<3")."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.fields import IdField
from accounts.permissions import IsCoordinator
from config.api import ApiViewMixin
from matching.report_workbook import report_workbook
from matching.selectors.city_report import CityReport, city_report, report_data, report_period

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CityReportQuery(serializers.Serializer[Any]):
    """``from`` is a Python keyword: the fields are named in ``get_fields``."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "program": IdField(required=False),
        }


@extend_schema_field(
    {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["<3"]}]}
)
class MaskedCount(serializers.Field[Any, Any, Any, Any]):
    """A count, or "<3" for 1 and 2 (small-number privacy)."""

    def to_representation(self, value: Any) -> Any:
        return value


class CityReportProgram(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CityReportTotals(serializers.Serializer[Any]):
    student_applicants = MaskedCount()
    family_applicants = MaskedCount()
    placed = MaskedCount()
    families_hosting = MaskedCount()
    visits_held = MaskedCount()
    visits_to_come = MaskedCount()
    cancelled = MaskedCount()
    feedback = MaskedCount()
    mean_rating = serializers.FloatField(
        allow_null=True, help_text="Left out (null) with fewer than 3 answers."
    )


class CityReportGroupRow(serializers.Serializer[Any]):
    applicants = MaskedCount()
    placed = MaskedCount()


class CityReportNationalityRow(CityReportGroupRow):
    nationality = serializers.CharField(help_text="ISO 3166-1 alpha-2; empty when not given.")
    name = serializers.CharField(help_text="The country's name in the caller's language.")


class CityReportSchoolRow(CityReportGroupRow):
    school = serializers.CharField()


class CityReportFirstTimeRow(serializers.Serializer[Any]):
    who = serializers.ChoiceField(choices=["students", "families"])
    first_time = MaskedCount()
    repeat = MaskedCount()


class CityReportFamilies(serializers.Serializer[Any]):
    active = MaskedCount()
    new = MaskedCount()
    lapsed = MaskedCount()


class CityReportRatingRow(serializers.Serializer[Any]):
    rating = serializers.IntegerField()
    count = MaskedCount()


class CityReportReasonRow(serializers.Serializer[Any]):
    reason = serializers.CharField(
        help_text="Empty: reasons given fewer than 3 times, or none given, together."
    )
    count = MaskedCount()


class CityReportOutput(serializers.Serializer[Any]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        return {
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            "program": CityReportProgram(allow_null=True),
            "totals": CityReportTotals(),
            "by_nationality": CityReportNationalityRow(many=True),
            "by_school": CityReportSchoolRow(many=True),
            "first_time": CityReportFirstTimeRow(many=True),
            "families": CityReportFamilies(),
            "ratings": CityReportRatingRow(many=True),
            "decline_reasons": CityReportReasonRow(many=True),
        }


PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 1 April)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: 31 March)."),
    OpenApiParameter("program", OpenApiTypes.INT, description="One programme (default: all)."),
]


class _ReportView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    def report(self, request: Request) -> CityReport:
        query = CityReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = report_period(
            start=query.validated_data.get("from"), end=query.validated_data.get("to")
        )
        return city_report(start=start, end=end, program_id=query.validated_data.get("program"))


class ReportSummaryView(_ReportView):
    @extend_schema(
        parameters=PARAMETERS,
        responses={
            200: CityReportOutput,
            400: OpenApiResponse(description="A bad parameter, named."),
        },
        summary="The report to the city, as JSON tables",
        description=(
            "Applicants, placements, visits held, cancelled and missed, by nationality, school "
            "and first visit or repeat, families active, new and lapsed, ratings and the top "
            "decline reasons, for a period (the fiscal year by default) and optionally one "
            'programme. Counts of 1 and 2 read "<3".'
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(report_data(self.report(request), mask=True))


class ReportWorkbookView(_ReportView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The workbook is sent as it is; an error is JSON whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=PARAMETERS,
        responses={
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A bad parameter, named."),
        },
        summary="The report to the city, as an XLSX workbook (one sheet per table)",
        description=(
            "The same tables as the JSON report, one sheet each, with the same small-number "
            "masking; errors are answered as JSON."
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        report = self.report(request)
        response = HttpResponse(report_workbook(report), content_type=XLSX_TYPE)
        filename = f"engawa-report-{report.start.isoformat()}-{report.end.isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("reports/summary/", ReportSummaryView.as_view(), name="api-report-summary"),
    path("reports/summary.xlsx", ReportWorkbookView.as_view(), name="api-report-workbook"),
]
