"""A small limiter for the public forms that send e-mail or create accounts (password reset,
sign-up): POSTs per client address in a fixed window, counted for every web process together
(accounts.ratelimit)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from accounts.client import client_address
from accounts.ratelimit import window_hits

View = Callable[..., HttpResponseBase]


class _ScopeRate(SimpleRateThrottle):
    """The rate DRF's throttles read for ``scope`` (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES),
    parsed by DRF itself."""

    # Set by DRF's __init__; its type stubs do not declare them.
    num_requests: int | None
    duration: int | None

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()


def limit_posts(scope: str) -> Callable[[View], View]:
    """Refuse a POST with 429 once the address has used the rate of ``scope`` (the API's
    ``DEFAULT_THROTTLE_RATES`` entry, so one setting limits the API and the page alike)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            rate = _ScopeRate(scope)
            allowed, window = rate.num_requests, rate.duration
            if request.method == "POST" and allowed is not None and window is not None:
                address = client_address(request)
                count = window_hits(f"page:{scope}:{request.path}:{address}", window)
                if count > allowed:
                    response = HttpResponse(
                        _("Too many attempts. Please wait a minute and try again."),
                        status=429,
                        content_type="text/plain; charset=utf-8",
                    )
                    response["Retry-After"] = str(window)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
