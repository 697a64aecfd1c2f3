"""DELETE /api/me/: a student or a family deletes their own account (see accounts.deletion).

The route shares ``me/`` with the profile view: this view extends it with ``delete`` so that
GET and PATCH behave exactly as before."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import views
from accounts.deletion import user_delete
from accounts.models import Role
from accounts.permissions import current_user


class DeleteInput(serializers.Serializer[Any]):
    password = serializers.CharField(trim_whitespace=False)


class MeView(views.MeView):
    @extend_schema(
        summary="Delete my account",
        description=(
            "Deletes the caller's account after confirming the current password: personal "
            "data are deleted or anonymised, open proposals and coming visits cancelled, "
            "every token revoked."
        ),
        request=DeleteInput,
        responses={
            204: OpenApiResponse(description="The account and its personal data are gone."),
            400: OpenApiResponse(description='{"password": [...]}: missing or wrong.'),
            403: OpenApiResponse(description="Coordinators are removed by the association."),
        },
    )
    def delete(self, request: Request) -> Response:
        user = current_user(request)
        if user.role not in (Role.STUDENT, Role.HOST):
            raise PermissionDenied(_("Coordinator accounts are removed by the association."))
        data = DeleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not user.check_password(data.validated_data["password"]):
            raise ValidationError({"password": [_("This is not your password.")]})
        user_delete(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern] = [path("me/", MeView.as_view(), name="api-me-delete")]
