"""Applying to a language exchange from the web: languages, format and the weekly time slots,
stored through ``application_submit`` like the API's application."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from matching.models import Application, Program, Proposal
from tests import factories
from tests.matching.conftest import future_days
from tests.matching.test_exchange_service import new_round, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchange(coordinator: User) -> Program:
    return factories.ProgramFactory(
        created_by=coordinator, kind=Program.Kind.LANGUAGE_EXCHANGE, dates=future_days(20)
    )


def _url(program: Program) -> str:
    return reverse("frontend:program_apply", kwargs={"program_id": program.pk})


def _apply(**extra: Any) -> dict[str, Any]:
    return {"teaches": ["en"], "learns": ["ja"], "format": "online", **extra}


def _slots_field(html: str) -> str:
    """The field block of the weekly slots, from its outer fieldset to the end of the form."""
    start = html.index('<div class="field field--checkboxes', html.index('name="format"'))
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize(
    ("language", "legend", "monday", "morning"),
    [
        ("en", "When you are free each week", "Monday", "Morning"),
        ("ja", "毎週の都合のよい時間", "月曜日", "午前"),
    ],
)
def test_exchange_form_offers_weekly_slots_grouped_by_weekday(
    page_client, student, exchange, language: str, legend: str, monday: str, morning: str
) -> None:
    html = page_client(student, language=language).get(_url(exchange)).content.decode()
    field = _slots_field(html)
    # One fieldset for the question, one per weekday inside it, each with its legend.
    assert field.count("<fieldset") == 8
    assert re.search(rf"<legend class=\"field__label\">{legend}", field)
    assert f'<legend class="week-slots__name">{monday}</legend>' in field
    # 21 checkboxes, each with a label tied to it.
    boxes = re.findall(r'<input type="checkbox" name="time_slots" value="([a-z]+-[a-z]+)"', field)
    assert len(boxes) == 21 and boxes[0] == "mon-am" and boxes[-1] == "sun-eve"
    assert re.search(
        rf'<label class="choice" for="id_time_slots_0_0"><input[^>]*>\s*{morning}', field
    )


def test_home_visit_form_has_no_weekly_slots(page_client, student) -> None:
    html = page_client(student, language="en").get(_url(factories.ProgramFactory())).content
    assert b'name="time_slots"' not in html


def test_weekly_slots_are_stored_through_the_service(page_client, student, exchange) -> None:
    client = page_client(student, language="en")
    response = client.post(_url(exchange), _apply(time_slots=["sat-am", "mon-eve", "sat-am"]))
    assert response.status_code == 302
    application = Application.objects.get(program=exchange, user=student)
    assert application.time_slots == ["sat-am", "mon-eve"]
    summary = client.get(_url(exchange)).content.decode()
    assert "Free each week" in summary
    assert "Monday Evening, Saturday Morning" in summary


def test_no_weekly_slot_is_an_error_beside_the_field(page_client, student, exchange) -> None:
    response = page_client(student, language="en").post(_url(exchange), _apply())
    html = response.content.decode()
    assert response.status_code == 200
    field = _slots_field(html)
    assert 'id="id_time_slots_error"' in field
    assert "Choose at least one time in the week when you are free." in field
    assert "field--invalid" in field[:80]
    assert not Application.objects.exists()


def test_unknown_weekly_slot_is_an_error_in_japanese(page_client, student, exchange) -> None:
    response = page_client(student, language="ja").post(
        _url(exchange), _apply(time_slots=["mon-am", "moon-am"])
    )
    field = _slots_field(response.content.decode())
    assert 'id="id_time_slots_error"' in field
    assert "moon-am は毎週の時間の選択肢にありません。" in field
    # What was ticked stays ticked.
    assert re.search(r'value="mon-am"[^>]*checked', field)
    assert not Application.objects.exists()


def test_service_error_on_slots_lands_beside_the_field(page_client, student, exchange) -> None:
    """The service's own check (it limits what the API takes) shows beside the same field."""
    from django.core.exceptions import ValidationError

    from frontend.program_forms import ApplyForm
    from frontend.views.coordinator.common import show_service_errors
    from frontend.views.programs import APPLY_ERROR_MAP

    form = ApplyForm(_apply(time_slots=["mon-am"]), program=exchange, user=student)
    assert form.is_valid()
    show_service_errors(
        form, ValidationError({"time_slots": ["Each time slot is a short text."]}), APPLY_ERROR_MAP
    )
    assert form.errors["time_slots"] == ["Each time slot is a short text."]


def test_two_web_applications_sharing_a_slot_are_paired(page_client, exchange) -> None:
    ja_speaker = factories.HostProfileFactory(
        languages=[{"code": "ja", "level": "native"}, {"code": "en", "level": "beginner"}]
    ).user
    en_speaker = factories.StudentProfileFactory(
        languages=[{"code": "en", "level": "native"}, {"code": "ja", "level": "beginner"}]
    ).user
    page_client(ja_speaker, language="ja").post(
        _url(exchange),
        {"teaches": ["ja"], "learns": ["en"], "format": "online", "time_slots": ["tue-eve"]},
    )
    page_client(en_speaker, language="en").post(
        _url(exchange), _apply(time_slots=["tue-eve", "sun-am"])
    )
    assert Application.objects.filter(program=exchange).count() == 2
    rnd = new_round(exchange)
    run(rnd)
    assert Proposal.objects.filter(round=rnd).count() == 1
    assert rnd.proposals.get().breakdown["time_overlap"] > 0


def test_coordinator_sees_the_weekly_slots(page_client, coordinator, student, exchange) -> None:
    page_client(student, language="en").post(_url(exchange), _apply(time_slots=["wed-pm"]))
    application = Application.objects.get()
    html = (
        page_client(coordinator, language="en")
        .get(reverse("frontend:coordinator:application", args=[application.pk]))
        .content.decode()
    )
    assert "Free each week" in html and "Wednesday Afternoon" in html
