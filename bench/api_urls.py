"""Bench-only URL conf: Engawa's URLs plus a bare JSON endpoint, served by the same process
through the same middleware, as the ceiling of what the server can answer."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("config.urls")),
]
