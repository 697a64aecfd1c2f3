"""Accounts API: thin views over accounts.services and accounts.selectors."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    PROFILE_INPUT,
    PROFILE_OUTPUT,
    HostProfileInput,
    MeInput,
    MeOutput,
    ReferenceOutput,
    RegisterInput,
    StudentProfileInput,
    TicketOutput,
    TokenInput,
    TokenOutput,
    UserOutput,
    profile_output,
)
from accounts.api.throttles import AuthRateThrottle
from accounts.languages import CODES, supported
from accounts.models import Role
from accounts.permissions import IsStudentOrHost, current_user
from accounts.throttling import lockout_response
from config.api import ApiViewMixin, refuse_unknown_fields

ERROR = OpenApiResponse(description="A JSON object naming each bad field, or carrying detail.")


class RegisterView(ApiViewMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Create an account",
        description=(
            "Registers a student or a host family. No log-in needed. A link to confirm the "
            "e-mail address is sent in the account's language; until it is used the account "
            "can fill its profile but not apply to a programme. 400 names the field: a taken "
            "e-mail, a weak password, an unknown role."
        ),
        request=RegisterInput,
        responses={201: UserOutput, 400: ERROR},
    )
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenView(ApiViewMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Get an API token",
        description=(
            "Exchanges an e-mail and password for a token to send as `Authorization: Token "
            "<token>`. A token unused for the configured idle time stops working. 400 on bad "
            "credentials; 429 after repeated failures."
        ),
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: ERROR,
            429: OpenApiResponse(description="Too many failed log-ins for this account."),
        },
    )
    def post(self, request: Request) -> Response | HttpResponse:
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()
        # Asked before authenticating, so that the failure that reaches the limit still gets
        # its 400 and only the attempts after it are refused (also with the right password).
        if settings.AXES_ENABLED and AxesProxyHandler.is_locked(
            request._request, credentials={"email": email}
        ):
            return lockout_response(request._request)
        # The plain HttpRequest goes to authenticate() so that django-axes can count failures.
        user = authenticate(request._request, email=email, password=data.validated_data["password"])
        if user is None:
            # This attempt was judged before the lock: it is a wrong password, not a refusal,
            # and AxesMiddleware would otherwise turn the failure that reaches the limit into a
            # 429 already.
            request._request.axes_locked_out = False  # type: ignore[attr-defined]  # axes's own flag
            raise ValidationError({"detail": _("Unable to log in with this e-mail and password.")})
        # A token log-in is a log-in: axes resets the failure count, Django stamps last_login.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response({"token": services.token_for(user=user)})


class WsTicketView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Get a WebSocket ticket",
        description=(
            "A one-time ticket, valid for 60 seconds, for opening a chat or notification "
            "WebSocket without a session cookie: append `?ticket=<ticket>` to the socket's "
            "URL."
        ),
        request=None,
        responses={201: TicketOutput},
    )
    def post(self, request: Request) -> Response:
        ticket = services.ws_ticket_issue(user=current_user(request))
        return Response(
            {"ticket": ticket, "expires_in": settings.WS_TICKET_TTL_SECONDS},
            status=status.HTTP_201_CREATED,
        )


class MeView(ApiViewMixin, APIView):
    @extend_schema(
        summary="My account",
        description="The caller's account and profile (`profile` is null until it is filled in).",
        responses=MeOutput,
    )
    def get(self, request: Request) -> Response:
        return Response(MeOutput(current_user(request)).data)

    @extend_schema(
        summary="Change my account",
        description=(
            "Changes the caller's name or preferred language; other fields are refused with a"
            " 400 that names them."
        ),
        request=MeInput,
        responses={200: MeOutput, 400: ERROR},
    )
    def patch(self, request: Request) -> Response:
        refuse_unknown_fields(request, MeInput)
        data = MeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update(user=current_user(request), **data.validated_data)
        return Response(MeOutput(user).data)


class ProfileView(ApiViewMixin, APIView):
    permission_classes = [IsStudentOrHost]

    def _save(self, request: Request, *, partial: bool) -> Response:
        user = current_user(request)
        input_class = StudentProfileInput if user.role == Role.STUDENT else HostProfileInput
        refuse_unknown_fields(request, input_class)
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.profile_save(user=user, data=dict(data.validated_data), partial=partial)
        return Response(profile_output(profile))

    @extend_schema(
        summary="Replace my profile",
        description=(
            "A student sends the student profile, a host family the host profile. Fields left"
            " out go back to empty."
        ),
        request=PROFILE_INPUT,
        responses={200: PROFILE_OUTPUT, 400: ERROR},
    )
    def put(self, request: Request) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        summary="Change my profile",
        description="Changes only the profile fields sent.",
        request=PROFILE_INPUT,
        responses={200: PROFILE_OUTPUT, 400: ERROR},
    )
    def patch(self, request: Request) -> Response:
        return self._save(request, partial=True)


class ReferenceView(ApiViewMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Reference lists",
        description=(
            "No log-in needed: languages, stations, diets, allergens and interests, with "
            "labels in the caller's language."
        ),
        parameters=[
            OpenApiParameter(
                "lang",
                str,
                enum=list(CODES),
                required=False,
                description="Label language; else the account's, else Accept-Language.",
            )
        ],
        responses=ReferenceOutput,
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("lang")
        if language not in CODES:
            language = supported(get_language())
        return Response(selectors.reference_data(language=language))
