"""How API clients prove who they are: DRF's token check, with its one read compiled once."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User
from config.rawsql import compiled_with_stand_ins, from_row, with_values

# The read is compiled with a stand-in for the key, which each request swaps for its own:
# building the query costs more than running it, and every API request pays it.
_KEY = "\x00token-key\x00"


def _token_owner_queryset(key: str) -> QuerySet[User]:
    """The token's user (whatever its state: the caller decides) and when the token was made."""
    return User.objects.filter(auth_token__key=key).annotate(token_created=F("auth_token__created"))


@functools.cache
def _token_owner_sql(vendor: str) -> tuple[str, tuple[Any, ...], tuple[str, ...]]:
    compiled = compiled_with_stand_ins(_token_owner_queryset(_KEY), _KEY)
    if compiled is None:
        raise ImproperlyConfigured("the token read can match no row")
    columns = (*(f.attname for f in User._meta.concrete_fields), "token_created")
    return *compiled, columns


def token_owner(key: str) -> tuple[User, Token] | None:
    """The user a token key belongs to and the token, as DRF's check reads them; None when
    no token has that key."""
    sql, stand_ins, columns = _token_owner_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, with_values(stand_ins, {_KEY: key}))
        row = cursor.fetchone()
    if row is None:
        return None
    if len(row) != len(columns):
        raise ImproperlyConfigured("the token read's columns no longer match the user model")
    user = from_row(User, columns[:-1], row[:-1])
    token = from_row(Token, ("key", "user_id", "created"), (key, user.pk, row[-1]))
    # The token's side only: ``token.user = user`` would also cache the token on the user,
    # a cycle that outlives the request until the garbage collector runs.
    Token.user.field.set_cached_value(token, user)
    return user, token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, with DRF's answers and messages (the same words in our
    catalogue as in DRF's)."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        found = token_owner(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not found[0].is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return found
