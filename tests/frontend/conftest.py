"""Fixtures for the page tests: logged-in Django test clients per role and language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from matching.models import Program, Proposal, Round, Unplaced
from tests import factories

HISTOGRAM = {"edges": [0, 20, 40, 60, 80, 100], "counts": [0, 1, 2, 4, 1]}


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


def coordinator_round(program: Program, *, pairs: int = 2, **fields: Any) -> Round:
    """A draft round of ``program`` with ``pairs`` proposals and one unplaced student."""
    fields.setdefault("status", Round.Status.DRAFT)
    fields.setdefault(
        "stats",
        {
            "matched": pairs,
            "unmatched": 1,
            "mean_score": 61.25,
            "min_score": 40.5,
            "total_score": 61.25 * pairs,
            "blocking_pairs": 3,
            "histogram": HISTOGRAM,
            "solve_ms": 12.0,
        },
    )
    rnd = factories.RoundFactory(program=program, created_by=program.created_by, **fields)
    for _ in range(pairs):
        factories.ProposalFactory(
            round=rnd, score=61.25, breakdown={"language": 30.0, "interests": 10.0, "travel": 5.0}
        )
    Unplaced.objects.create(
        round=rnd,
        application=factories.ApplicationFactory(program=program),
        reasons=[{"code": "profile_incomplete", "params": {}, "text": "Profile lacks a field."}],
    )
    return rnd


def published_round(program: Program) -> tuple[Round, Proposal]:
    rnd = coordinator_round(program, status=Round.Status.PUBLISHED)
    proposal = rnd.proposals.first()
    assert proposal is not None
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.PROPOSED)
    proposal.refresh_from_db()
    return rnd, proposal


def field_block(html: str, field_id: str) -> str:
    """The markup of the field wrapper (frontend/partials/field.html) holding ``field_id``."""
    for chunk in html.split('<div class="field field--')[1:]:
        if f'id="{field_id}"' in chunk or f'for="{field_id}"' in chunk:
            return chunk
    raise AssertionError(f"no field {field_id} in the page")


@pytest.fixture
def program(coordinator: User) -> Program:
    return factories.ProgramFactory(created_by=coordinator)


@pytest.fixture
def coord(page_client: Callable[..., Client], coordinator: User) -> Client:
    return page_client(coordinator, "en")
