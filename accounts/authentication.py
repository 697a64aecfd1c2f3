"""``Authorization: Token <key>``, as DRF's TokenAuthentication reads it, against our own
tokens: hashed, one per log-in, idle ones expired (``accounts.services.token_authenticate``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, User
from accounts.services import token_authenticate


class ExpiringTokenAuthentication(TokenAuthentication):
    """``request.auth`` is the ``ApiToken``, so that logging out can revoke exactly it."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        return token.user, token
