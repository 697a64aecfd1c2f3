"""Coordinator forms given what crashed them: each answers 400 with the error beside the field
and stores nothing (issue 19 item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from matching.models import Delivery, Program, Round
from tests import factories
from tests.frontend.conftest import field_block

pytestmark = pytest.mark.django_db


def test_a_closing_time_past_year_9999_in_utc_is_named(coord: Client) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:program_create"),
        {
            "name": "Far future",
            "kind": "home_visit",
            "dates": "2030-01-01",
            "apply_until": "9999-12-31T23:59:59-12:00",
            "response_hours": "72",
        },
    )
    assert answer.status_code == 400
    assert 'class="errorlist' in field_block(answer.content.decode(), "id_apply_until")
    assert not Program.objects.filter(name="Far future").exists()


@pytest.mark.parametrize("field", ["subject_ja", "subject_en"])
@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n"])
def test_an_announcement_subject_with_a_line_break_is_named(
    coord: Client, program: Program, mailoutbox: list[Any], field: str, line_break: str
) -> None:
    factories.ApplicationFactory(program=program)
    texts = {
        "subject_ja": "お知らせ",
        "subject_en": "Notice",
        "body_ja": "本文",
        "body_en": "Body",
    }
    texts[field] = f"Notice{line_break}Bcc: everyone@example.org"
    answer = coord.post(reverse("frontend:coordinator:announcement", args=[program.pk]), texts)
    assert answer.status_code == 400
    assert 'class="errorlist' in field_block(answer.content.decode(), f"id_{field}")
    assert mailoutbox == []
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("pins", ["1, ²", "³ 2", f"{10**25}, 1"])
def test_round_pins_that_are_no_application_number_are_named(
    coord: Client, program: Program, pins: str
) -> None:
    answer = coord.post(
        reverse("frontend:coordinator:round_start", args=[program.pk]),
        {"mode": "optimal", "pins": pins, "forbids": ""},
    )
    assert answer.status_code == 400
    assert "Line 1" in field_block(answer.content.decode(), "id_pins")
    assert not Round.objects.filter(program=program).exists()


def test_the_round_forms_query_ignores_numbers_it_cannot_use(
    coord: Client, program: Program
) -> None:
    url = reverse("frontend:coordinator:round_start", args=[program.pk])
    answer = coord.get(url, {"from": "²", "pin": f"{10**25}-1", "forbid": "³-2"})
    assert answer.status_code == 200
