"""``POST /api/imports/`` (coordinators): the registry import's dry run and commit.

Thin: permission → input serializer → ``accounts.imports.services.registry_import`` → output."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import ERROR
from accounts.imports.services import KINDS, ImportResult, registry_import
from accounts.permissions import IsCoordinator, current_user
from config.api import ApiViewMixin

ACTIONS = ("create", "update", "merge", "refuse")


class RegistryImportInput(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="An XLSX workbook (its first sheet) or a CSV file.")
    kind = serializers.ChoiceField(choices=list(KINDS))
    commit = serializers.BooleanField(
        default=False, help_text="false: a dry run; true: import, when no row is refused."
    )


class RegistryImportRowOutput(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="The row's number in the spreadsheet.")
    action = serializers.ChoiceField(choices=ACTIONS)
    name = serializers.CharField()
    email = serializers.CharField()
    existing = serializers.IntegerField(
        allow_null=True, help_text="The person the row updates or merges into."
    )
    matched_on = serializers.ChoiceField(
        choices=["", "email", "phone", "name_address", "name_school"],
        help_text="Why the row is that person; a merge (not email) is for the coordinator "
        "to confirm before committing.",
    )

    def get_fields(self) -> dict[str, Any]:
        # "errors" is the contract's name, and a Serializer attribute: declared here.
        return {
            **super().get_fields(),
            "errors": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="Column header (as the file spells it) -> what is wrong with the cell.",
            ),
        }


class RegistryImportOutput(serializers.Serializer[Any]):
    rows = RegistryImportRowOutput(many=True)
    committed = serializers.BooleanField()
    ignored_columns = serializers.ListField(
        child=serializers.CharField(), help_text="Headers that are no known column."
    )


def import_output(result: ImportResult) -> dict[str, Any]:
    return dict(RegistryImportOutput(result).data)


class ImportView(ApiViewMixin, APIView):
    permission_classes = [IsCoordinator]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": RegistryImportInput},
        responses={200: RegistryImportOutput, 400: ERROR},
        summary="Import the registry from a spreadsheet (a dry run, or all rows at once)",
        description=(
            "Reads an XLSX or CSV of host families or students with Japanese or English "
            "headers and answers what each row would do: create, update, merge with an existing "
            "person (to be confirmed) or refuse, naming every bad cell. With commit=true and no "
            "refused row, every row is imported in one transaction and each new person is "
            "invited by e-mail, in their language, to choose a password."
        ),
    )
    def post(self, request: Request) -> Response:
        data = RegistryImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = registry_import(
            kind=data.validated_data["kind"],
            upload=upload,
            filename=upload.name or "",
            commit=data.validated_data["commit"],
            by=current_user(request),
        )
        return Response(import_output(result))
