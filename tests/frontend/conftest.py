"""Fixtures for the page tests: logged-in Django test clients per role and language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def page_client() -> Callable[..., Client]:
    """A test client logged in as ``user`` (anonymous for None), reading ``language``."""

    def make(user: User | None = None, language: str | None = None) -> Client:
        client = Client()
        if user is not None:
            if language:
                user.preferred_language = language
                user.save(update_fields=["preferred_language"])
            client.force_login(user)
        elif language:
            client.cookies["django_language"] = language
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """Argon2 is right for production and far too slow for hundreds of test users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
