"""proposals API."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
