"""The "not alone" wish changed on the programme's page after applying, in every language, and
refused with the reason while it may not change; the coordinator's applications and applicant
pages naming each student's group, invitation and wish (their query count is pinned in
``test_coordinator_programs``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from matching.models import Application, Program, Proposal
from matching.services import groups as group_services
from tests import factories

pytestmark = pytest.mark.django_db

CHECKBOX = 'name="not_alone"'


def _applicant(program: Program, name: str) -> Application:
    user = factories.StudentProfileFactory(user__name=name).user
    return factories.ApplicationFactory(program=program, user=user)


def _page(program: Program) -> str:
    return reverse("frontend:program_apply", kwargs={"program_id": program.pk})


def _change(program: Program) -> str:
    return reverse("frontend:program_not_alone", kwargs={"program_id": program.pk})


def _plain(html: str) -> str:
    """The page without the furigana Easy Japanese adds over its kanji (``accounts.reading``)."""
    return re.sub(r"<rt>.*?</rt>|<rp>.*?</rp>|</?ruby>", "", html)


def _checkbox(html: str) -> str:
    start = html.index(CHECKBOX)
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


def test_the_student_turns_not_alone_on_and_off_on_the_programme_page(
    program: Program, page_client: Any
) -> None:
    mine = _applicant(program, "Nguyen Thi Lan")
    client = page_client(mine.user, language="en")
    html = client.get(_page(program)).content.decode()
    assert "I would rather not visit alone" in html
    assert "checked" not in _checkbox(html)
    answer = client.post(_change(program), {"not_alone": "on"}, follow=True)
    assert answer.redirect_chain[-1][0].endswith("#not-alone")
    page = answer.content.decode()
    assert "Saved: you are placed only where another student visits the same family." in page
    assert "checked" in _checkbox(page)
    assert Application.objects.get(pk=mine.pk).not_alone is True
    # Unticked: the box sends nothing, and the wish is off.
    page = client.post(_change(program), {}, follow=True).content.decode()
    assert "Saved: you may also be placed as the only student of a family." in page
    assert Application.objects.get(pk=mine.pk).not_alone is False


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_change_reads_in_every_language(
    program: Program, page_client: Any, language: str
) -> None:
    mine = _applicant(program, "Nguyen Thi Lan")
    client = page_client(mine.user, language=language)
    html = _plain(client.get(_page(program)).content.decode())
    answer = client.post(_change(program), {"not_alone": "on"}, follow=True)
    page = _plain(answer.content.decode())
    with translation.override(language):
        label = translation.gettext("I would rather not visit alone")
        button = translation.gettext("Save this choice")
        saved = translation.gettext(
            "Saved: you are placed only where another student visits the same family."
        )
    if language != "en":
        assert label != "I would rather not visit alone" and button != "Save this choice"
    assert label in html and button in html
    assert saved in page


def test_the_page_offers_no_change_once_a_visit_is_proposed_and_says_why(
    program: Program, page_client: Any
) -> None:
    mine = _applicant(program, "Nguyen Thi Lan")
    factories.ProposalFactory(
        program=program,
        round__program=program,
        student_application=mine,
        status=Proposal.Status.PROPOSED,
    )
    client = page_client(mine.user, language="en")
    assert CHECKBOX not in client.get(_page(program)).content.decode()
    answer = client.post(_change(program), {"not_alone": "on"}, follow=True)
    assert "already proposed to you" in answer.content.decode()
    assert Application.objects.get(pk=mine.pk).not_alone is False


def test_a_family_or_a_coordinator_has_no_not_alone_to_change(
    program: Program, page_client: Any
) -> None:
    family = factories.HostApplicationFactory(program=program)
    assert CHECKBOX not in page_client(family.user).get(_page(program)).content.decode()
    assert page_client(family.user).post(_change(program), {"not_alone": "on"}).status_code == 403
    coordinator = page_client(program.created_by)
    assert coordinator.post(_change(program), {"not_alone": "on"}).status_code == 403
    exchange = factories.ProgramFactory(kind=Program.Kind.LANGUAGE_EXCHANGE)
    pupil = factories.ApplicationFactory(program=exchange)
    assert CHECKBOX not in page_client(pupil.user).get(_page(exchange)).content.decode()


def _groups(program: Program) -> dict[str, Application]:
    """A confirmed pair of siblings, a pending invitation, and a beginner not alone."""
    people = {
        name: _applicant(program, name)
        for name in ("Nguyen Thi Lan", "Pham Thu Ha", "Tran Mai", "Le Tuan", "Kim Minji")
    }
    lan, ha = people["Nguyen Thi Lan"], people["Pham Thu Ha"]
    request = group_services.group_request_create(
        program=program, by=lan.user, email=ha.user.email, relation="sibling"
    )
    group_services.group_request_confirm(request_id=request.pk, by=ha.user)
    group_services.group_request_create(
        program=program, by=people["Tran Mai"].user, email=people["Le Tuan"].user.email
    )
    Application.objects.filter(pk=people["Kim Minji"].pk).update(not_alone=True)
    return people


def test_coordinators_see_groups_invitations_and_wishes(program: Program, coord: Client) -> None:
    people = _groups(program)
    html = coord.get(
        reverse("frontend:coordinator:applications", args=[program.pk])
    ).content.decode()
    assert "Together with Pham Thu Ha" in html and "Together with Nguyen Thi Lan" in html
    assert "Invited Le Tuan" in html and "Invited by Tran Mai" in html
    assert html.count('data-group="confirmed"') == 2 and html.count('data-group="pending"') == 2
    assert html.count("data-not-alone") == 1
    partner = reverse("frontend:coordinator:application", args=[people["Pham Thu Ha"].pk])
    assert f'href="{partner}"' in html
    page = coord.get(
        reverse("frontend:coordinator:application", args=[people["Nguyen Thi Lan"].pk])
    ).content.decode()
    assert "Together with Pham Thu Ha" in page and "(Sibling)" in page
    alone = coord.get(
        reverse("frontend:coordinator:application", args=[people["Kim Minji"].pk])
    ).content.decode()
    assert "data-not-alone" in alone and "data-group=" not in alone


def test_no_student_or_family_reads_another_students_group(
    program: Program, page_client: Any
) -> None:
    people = _groups(program)
    stranger = page_client(_applicant(program, "Someone Else").user, language="en")
    family = page_client(factories.HostApplicationFactory(program=program).user, language="en")
    for client in (stranger, family):
        for url in (
            reverse("frontend:coordinator:applications", args=[program.pk]),
            reverse("frontend:coordinator:application", args=[people["Nguyen Thi Lan"].pk]),
        ):
            assert client.get(url).status_code == 403
        own = client.get(_page(program)).content.decode()
        assert "Pham Thu Ha" not in own and "Nguyen Thi Lan" not in own
