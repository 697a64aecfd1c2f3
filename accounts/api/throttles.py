"""The API's rate limits (DRF throttles), counted in the cache."""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from accounts.client import client_address

logger = logging.getLogger(__name__)


class _CountedInRedis(SimpleRateThrottle):
    """DRF's throttles count in the cache (Redis in production). When it cannot be reached the
    request goes through and the outage is logged: the limiter must not turn an outage of its
    counter into an error on every write. Log-in guessing stays limited by django-axes, which
    counts in the database."""

    def get_ident(self, request: Any) -> str:
        """An anonymous caller's key: its address by accounts.client's rule, not DRF's own
        reading of X-Forwarded-For (NUM_PROXIES), which a client could forge."""
        return client_address(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return bool(super().allow_request(request, view))
        except RedisError:
            logger.warning("rate limit not checked: the cache is unreachable", exc_info=True)
            return True


class WriteRateThrottle(_CountedInRedis, UserRateThrottle):
    """Every API write (POST, PUT, PATCH, DELETE) counts against the user's "writes" rate;
    reads are not limited here. Anonymous writes are keyed by address."""

    scope = "writes"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class AuthRateThrottle(_CountedInRedis, ScopedRateThrottle):
    """The ``throttle_scope`` rate of a view (registration, tokens), keyed by user or address."""
