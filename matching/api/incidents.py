"""Incidents API: report a problem about a visit, and the coordinators' case file. Thin:
permission → input serializer → one service or selector → output. Coordinators see every case
with its notes; anyone else only the cases they reported, without notes (another's case is a
404, as a missing one)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.permissions import IsCoordinator, current_user
from config.api import ApiViewMixin
from matching.incident_models import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH
from matching.models import Incident, IncidentNote
from matching.selectors import incidents as selectors
from matching.services import incidents as services

NOT_FOUND = OpenApiResponse(description="Missing, or neither a coordinator nor the reporter.")


class IncidentInput(serializers.Serializer[Any]):
    proposal = serializers.IntegerField(min_value=1, help_text="The visit (a proposal's id).")
    category = serializers.ChoiceField(choices=Incident.Category.choices)
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH)
    about = serializers.ChoiceField(
        choices=["student", "host"],
        required=False,
        help_text="Coordinators only (required from them): whom the report is about.",
    )


class IncidentPatchInput(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Incident.Status.choices, required=False)
    follow_up_on = serializers.DateField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(choices=Incident.Outcome.choices, required=False)


class NoteInput(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class IncidentPersonOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class NoteOutput(serializers.ModelSerializer[IncidentNote]):
    author = IncidentPersonOutput(read_only=True, allow_null=True)

    class Meta:
        model = IncidentNote
        fields = ["id", "author", "body", "created_at"]


class ReporterIncidentOutput(serializers.ModelSerializer[Incident]):
    """A case as its reporter sees it: what they wrote and where it stands."""

    date = serializers.DateField(source="proposal.date", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "proposal",
            "date",
            "category",
            "severity",
            "description",
            "status",
            "created_at",
        ]


class IncidentOutput(ReporterIncidentOutput):
    """A case in full, for coordinators: who reported it, whom it is about, the follow-up. A
    reporter gets the fields of ``ReporterIncidentOutput`` only, so the schema marks the rest
    as optional."""

    # Not read-only on purpose: a read-only field is always "required" in the schema, and
    # these are absent from a reporter's view. This serializer only ever writes output.
    program = serializers.IntegerField(source="proposal.program_id", required=False)
    reporter = IncidentPersonOutput(allow_null=True, required=False)
    subject = IncidentPersonOutput(allow_null=True, required=False)
    follow_up_on = serializers.DateField(allow_null=True, required=False)
    outcome = serializers.ChoiceField(choices=Incident.Outcome.choices, required=False)
    updated_at = serializers.DateTimeField(required=False)
    closed_at = serializers.DateTimeField(allow_null=True, required=False)
    notes = NoteOutput(many=True, required=False)

    class Meta(ReporterIncidentOutput.Meta):
        fields = [
            *ReporterIncidentOutput.Meta.fields,
            "program",
            "source",
            "reporter",
            "subject",
            "follow_up_on",
            "outcome",
            "updated_at",
            "closed_at",
            "notes",
        ]


def _view(incident: Incident, user: User) -> dict[str, Any]:
    if user.role == Role.COORDINATOR:
        return dict(IncidentOutput(incident).data)
    return dict(ReporterIncidentOutput(incident).data)


def _reloaded(incident_id: int, user: User) -> dict[str, Any]:
    incident = selectors.incident_visible_to(user=user, incident_id=incident_id)
    if incident is None:
        raise NotFound()
    return _view(incident, user)


class IncidentListView(ApiViewMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="List incidents",
        description=(
            "Coordinators: every case, newest first, with its notes. Students and families: "
            "the cases they reported, without notes. `?status=open|in_progress|closed` filters."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=list(Incident.Status.values), required=False)
        ],
        responses=IncidentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        user = current_user(request)
        wanted = request.query_params.get("status", "")
        if wanted and wanted not in Incident.Status.values:
            raise serializers.ValidationError(
                {"status": [f"One of: {', '.join(Incident.Status.values)}."]}
            )
        cases = selectors.incidents_visible_to(user=user, status=wanted or None)
        return Response([_view(case, user) for case in cases])

    @extend_schema(
        summary="Report an incident",
        description=(
            "A student or a family reports a problem about one of their visits (a published "
            "proposal), or a coordinator about any; a coordinator names whom it is about "
            "(`about`). A high-severity case e-mails the coordinators. The other party is "
            "never told. 404 when the caller is not a party of the proposal."
        ),
        request=IncidentInput,
        responses={201: IncidentOutput, 404: NOT_FOUND},
    )
    def post(self, request: Request) -> Response:
        user = current_user(request)
        data = IncidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        incident = services.incident_report(by=user, proposal_id=values.pop("proposal"), **values)
        return Response(_reloaded(incident.pk, user), status=status.HTTP_201_CREATED)


class IncidentDetailView(ApiViewMixin, APIView):
    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "PATCH":
            return [IsCoordinator()]
        return [IsAuthenticated()]

    @extend_schema(
        summary="Get an incident",
        description="A coordinator reads any case (with notes); a reporter their own (without).",
        responses={200: IncidentOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, incident_id: int) -> Response:
        return Response(_reloaded(incident_id, current_user(request)))

    @extend_schema(
        summary="Follow up an incident",
        description=(
            "Coordinators only: the case's `status` (open, in_progress, closed), its "
            "`follow_up_on` date (null clears it) and its `outcome`: none, warning, "
            "never_again (the pair is never proposed again) or suspend (the account the case "
            "is about is deactivated and its open proposals and coming visits cancelled)."
        ),
        request=IncidentPatchInput,
        responses={200: IncidentOutput, 404: NOT_FOUND},
    )
    def patch(self, request: Request, incident_id: int) -> Response:
        user = current_user(request)
        data = IncidentPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.incident_update(incident_id=incident_id, by=user, **data.validated_data)
        return Response(_reloaded(incident_id, user))


class IncidentNotesView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]

    @extend_schema(
        summary="Add a note to an incident",
        description="Coordinators only; the reporter never sees the notes.",
        request=NoteInput,
        responses={201: NoteOutput, 404: NOT_FOUND},
    )
    def post(self, request: Request, incident_id: int) -> Response:
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.incident_note_add(
            incident_id=incident_id, by=current_user(request), body=data.validated_data["body"]
        )
        return Response(NoteOutput(note).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("incidents/", IncidentListView.as_view(), name="api-incidents"),
    path("incidents/<int:incident_id>/", IncidentDetailView.as_view(), name="api-incident"),
    path(
        "incidents/<int:incident_id>/notes/",
        IncidentNotesView.as_view(),
        name="api-incident-notes",
    ),
]
