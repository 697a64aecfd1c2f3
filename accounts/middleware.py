"""Speak to a logged-in user in the language stored on their account, and to a first-time
visitor in their browser's."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from accounts.languages import DEFAULT_LANGUAGE, ENGLISH


def _speaks(code: str) -> bool:
    try:
        get_supported_language_variant(code)
    except LookupError:
        return False
    return True


def arrival_language(request: HttpRequest) -> str | None:
    """The language for a visitor who chose none (no account, no language cookie of ours):
    English when the browser asks only for languages Engawa does not speak (a browser set to
    French or Thai is least likely to read Japanese), and the site's own default, Japanese,
    when it names none (no Accept-Language, as from a script, or only ``*``). None when
    Django's own choice stands: the chosen language, or the first of ours the browser asks
    for. (Django's LANGUAGE_CODE is English, the language of missing messages, so Japanese
    is set here rather than left to Django.)"""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and _speaks(chosen):
        return None
    accepted = parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    for code, _quality in accepted:
        if code == "*":
            break  # as Django: the rest of the header does not count
        if _speaks(code):
            return None
    else:
        if accepted:
            return ENGLISH
    return DEFAULT_LANGUAGE


class UserLanguageMiddleware:
    """Runs after LocaleMiddleware: the account's choice beats the browser's header, so a
    family that chose Japanese gets Japanese on every device; a visitor without an account
    gets ``arrival_language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language: str | None = user.preferred_language
        else:
            language = arrival_language(request)
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        return response
