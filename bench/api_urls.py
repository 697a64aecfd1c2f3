"""Bench-only URL conf: Engawa's URLs plus a bare JSON endpoint, served by the same process
through the same middleware, as the ceiling of what the server can answer."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config import urls


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


# Engawa's own patterns, not an include of them: resolving an API path then takes the steps
# it takes in production, instead of one more level of nesting (the bare path first).
urlpatterns = [path("bench/bare/", bare), *urls.urlpatterns]
handler404 = urls.handler404
