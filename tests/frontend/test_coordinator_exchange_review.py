"""The review page of a language-exchange round shows both directions of each pair."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from matching.models import Program
from tests import factories
from tests.matching.conftest import future_days
from tests.matching.test_exchange_service import english, japanese, new_round, run

pytestmark = pytest.mark.django_db


def test_exchange_review_shows_who_teaches_whom_both_ways(client: Client, coordinator: User):
    program = factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20, 50)
    )
    ja = japanese(program)
    en = english(program)
    rnd = new_round(program)
    run(rnd)
    client.force_login(coordinator)
    coordinator.preferred_language = "en"
    coordinator.save()
    page = client.get(f"/coordinator/rounds/{rnd.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{ja.user.name} teaches {en.user.name} Japanese" in text
    assert f"{en.user.name} teaches {ja.user.name} English" in text
    assert "Meets online" in text
