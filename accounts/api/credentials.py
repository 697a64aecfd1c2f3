"""Log-out, the password and the e-mail address's confirmation: thin views over
``accounts.services`` and ``accounts.verification``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout, update_session_auth_hash
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, verification
from accounts.api.serializers import (
    DetailOutput,
    EmailVerifyInput,
    PasswordChangeInput,
    TokenOutput,
)
from accounts.api.throttles import AuthRateThrottle
from accounts.models import ApiToken
from accounts.permissions import current_user
from config.api import ApiViewMixin


class LogoutView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Log out",
        description=(
            "Revokes the token this request was sent with (204); the account's other tokens, "
            "on other devices, keep working. With the session cookie instead, ends that "
            "session."
        ),
        request=None,
        responses={204: OpenApiResponse(description="The token of this request is revoked.")},
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            services.token_revoke(token=request.auth)
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(ApiViewMixin, APIView):
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Change my password",
        description=(
            "Changes the password after checking the current one. Every token of the account "
            "stops working and its sockets close; the answer carries a new token for this "
            "client. 400 names `current_password` or `new_password`."
        ),
        request=PasswordChangeInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(
                description='{"current_password": [...]} when it is wrong, '
                '{"new_password": [...]} when it is too weak.'
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = current_user(request)
        services.password_change(user=user, **data.validated_data)
        if request.auth is None:
            # A session caller stays logged in on this session.
            update_session_auth_hash(request._request, user)
        return Response({"token": services.token_for(user=user)})


class EmailVerifyView(ApiViewMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Confirm an e-mail address",
        description=(
            "Confirms the account's e-mail address with the token from the link sent to it. "
            "No log-in needed: the link may be opened on another device. 400 when the token "
            "is unknown or expired."
        ),
        request=EmailVerifyInput,
        responses={
            200: DetailOutput,
            400: OpenApiResponse(description='{"token": [...]}: expired or not valid.'),
        },
    )
    def post(self, request: Request) -> Response:
        data = EmailVerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        verification.email_verify(token=data.validated_data["token"])
        return Response({"detail": _("Your e-mail address is confirmed.")})


class EmailVerificationResendView(ApiViewMixin, APIView):
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Resend the confirmation link",
        description="Sends the link that confirms the account's e-mail address again.",
        request=None,
        responses={
            202: DetailOutput,
            400: OpenApiResponse(description="The address is confirmed already."),
        },
    )
    def post(self, request: Request) -> Response:
        user = current_user(request)
        verification.email_verification_request(user=user)
        return Response(
            {"detail": _("We sent a new link to %(email)s.") % {"email": user.email}},
            status=status.HTTP_202_ACCEPTED,
        )


urlpatterns: list[URLPattern] = [
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/verify-email/", EmailVerifyView.as_view(), name="api-verify-email"),
    path("me/password/", PasswordView.as_view(), name="api-me-password"),
    path("me/verify-email/", EmailVerificationResendView.as_view(), name="api-me-verify-email"),
]
