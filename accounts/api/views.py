"""Accounts API: thin views over accounts.services and accounts.selectors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    HostProfileInput,
    MeInput,
    MeOutput,
    RegisterInput,
    StudentProfileInput,
    TicketOutput,
    TokenInput,
    TokenOutput,
    UserOutput,
    profile_output,
)
from accounts.models import Role
from accounts.permissions import IsStudentOrHost
from config.api import UserLanguageMixin


class RegisterView(UserLanguageMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=RegisterInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenView(UserLanguageMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInput, responses={200: TokenOutput})
    def post(self, request: Request) -> Response:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain HttpRequest goes to authenticate() so that django-axes can count failures.
        user = authenticate(
            request._request,
            email=data.validated_data["email"].strip().lower(),
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            from accounts.throttling import lockout_response

            return lockout_response(request._request)  # type: ignore[return-value]
        if user is None:
            raise ValidationError({"detail": _("Unable to log in with this e-mail and password.")})
        return Response({"token": services.token_for(user=user)})


class WsTicketView(UserLanguageMixin, APIView):
    @extend_schema(request=None, responses={201: TicketOutput})
    def post(self, request: Request) -> Response:
        ticket = services.ws_ticket_issue(user=request.user)
        return Response(
            {"ticket": ticket, "expires_in": settings.WS_TICKET_TTL_SECONDS},
            status=status.HTTP_201_CREATED,
        )


class MeView(UserLanguageMixin, APIView):
    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request.user).data)

    @extend_schema(request=MeInput, responses=MeOutput)
    def patch(self, request: Request) -> Response:
        data = MeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **data.validated_data)
        return Response(MeOutput(user).data)


class ProfileView(UserLanguageMixin, APIView):
    permission_classes = [IsStudentOrHost]

    def _save(self, request: Request, *, partial: bool) -> Response:
        input_class = StudentProfileInput if request.user.role == Role.STUDENT else HostProfileInput
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": _("Send a JSON object.")})
        unknown = sorted(set(request.data) - set(input_class().fields))
        if unknown:
            raise ValidationError({f: [_("Not a field of this profile.")] for f in unknown})
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.profile_save(
            user=request.user, data=dict(data.validated_data), partial=partial
        )
        return Response(profile_output(profile))

    @extend_schema(
        request=StudentProfileInput,
        responses=inline_serializer("ProfileOut", {"profile": serializers.DictField()}),
        description="A student sends the student profile; a host family the host profile.",
    )
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        request=StudentProfileInput,
        responses=inline_serializer("ProfilePatchOut", {"profile": serializers.DictField()}),
    )
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)


class ReferenceView(UserLanguageMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("lang", str, enum=["ja", "en"], required=False)],
        responses=inline_serializer(
            "Reference",
            {
                "languages": serializers.ListField(child=serializers.DictField()),
                "stations": serializers.ListField(child=serializers.DictField()),
                "diets": serializers.ListField(child=serializers.DictField()),
                "allergens": serializers.ListField(child=serializers.DictField()),
                "interests": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("lang")
        if language not in ("ja", "en"):
            language = get_language() or "ja"
        return Response(selectors.reference_data(language=language))
