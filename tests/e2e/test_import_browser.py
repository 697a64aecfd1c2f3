"""A coordinator imports the registry in a real browser: a 20-row XLSX with 3 bad rows and 2
people the registry already has (the dry run names each bad cell; the fixed file imports with
the merge confirmed), then the association approves an imported family, which the next round
places (the checks recorded on vetting's person page)."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from matching.models import Application, Program, Proposal, Round
from tests import factories
from tests.accounts.registry_files import twenty_families, xlsx
from tests.e2e.conftest import Browsing, off_loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _vetting_checks() -> None:
    """The flush after a browser test empties the checks the data migration made."""
    from django.apps import apps

    from accounts.registry.models import VettingCheck

    if not VettingCheck.objects.exists():
        importlib.import_module("accounts.migrations.0006_vetting_checks").add_checks(apps, None)


def _round(program: Program, coordinator: User) -> Round:
    from matching.services.rounds import round_start

    rnd = round_start(program=program, by=coordinator)
    return Round.objects.get(pk=rnd.pk)


def test_coordinator_imports_fixes_commits_and_approves(
    browsing: Browsing, coordinator: User, tmp_path: Path
) -> None:
    def registry() -> None:
        _vetting_checks()
        factories.HostProfileFactory(user__email="existing@example.jp")
        factories.HostProfileFactory(phone="0422-55-0000")

    off_loop(registry)
    broken, fixed = tmp_path / "registry.xlsx", tmp_path / "registry-fixed.xlsx"
    broken.write_bytes(xlsx(twenty_families()))
    fixed.write_bytes(xlsx(twenty_families(bad=False)))

    page = browsing.page(coordinator)
    page.goto(reverse("frontend:coordinator:imports"))
    page.get_by_label("Host families").check()
    page.get_by_label("Spreadsheet (XLSX or CSV)").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    status = page.get_by_role("status").filter(has_text="20 rows")
    assert "17 new" not in status.inner_text()  # the bad rows are not counted as new
    assert "3 refused" in status.inner_text() and "1 to merge" in status.inner_text()
    assert page.locator("tr.import-row").count() == 20
    refused = page.locator("tr.import-row--refuse")
    assert [refused.nth(i).get_attribute("data-row") for i in range(3)] == ["5", "10", "16"]
    assert "Row 5, column “最寄り駅”" in refused.nth(0).inner_text()
    assert "ドラゴン" in refused.nth(1).inner_text()
    assert "not-an-address" in refused.nth(2).inner_text()
    assert page.get_by_role("button", name="Import 20 rows").count() == 0
    problems = browsing.audit(page, "coordinator-import-dry-run")

    # The coordinator fixes the three rows in Excel and checks the file again.
    page.get_by_label("Host families").check()
    page.get_by_label("Spreadsheet (XLSX or CSV)").set_input_files(str(fixed))
    page.get_by_role("button", name="Check the file").click()
    assert "0 refused" in page.get_by_role("status").filter(has_text="20 rows").inner_text()
    assert page.locator("tr.import-row--merge").count() == 1
    assert page.locator("tr.import-row--update").count() == 1
    page.get_by_label("I have checked the rows to merge").check()
    page.get_by_role("button", name="Import 20 rows").click()
    page.get_by_text("Imported 20 rows: 18 new people invited, 1 updated, 1 merged.").wait_for()
    problems += browsing.audit(page, "coordinator-import-done")
    assert User.objects.filter(role=Role.HOST, email__startswith="family").count() == 18
    assert len([m for m in mail.outbox if "/password-reset/" in m.body]) == 18

    # An imported family is pending: a round leaves it out; approved, the next one places it.
    family = User.objects.get(email="family1@example.jp")
    program = off_loop(lambda: factories.ProgramFactory(created_by=coordinator))
    student = off_loop(lambda: factories.StudentProfileFactory().user)

    def apply_both() -> None:
        from matching.services.programs import application_submit

        application_submit(program=program, user=family, dates=program.days, capacity=1)
        application_submit(program=program, user=student, dates=program.days[:1])

    off_loop(apply_both)
    before = off_loop(lambda: _round(program, coordinator))
    assert before.status == Round.Status.DRAFT
    assert not Proposal.objects.filter(round=before, host_application__user=family).exists()
    # The coordinator records the association's checks on the family's page (vetting's).
    from accounts.registry.selectors import person_of, vetting_checks

    page.goto(reverse("frontend:coordinator:person", args=[family.pk]))
    done_on = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    for code in vetting_checks().filter(required=True).values_list("code", flat=True):
        page.locator("select[name=check]").select_option(code)
        page.locator("input[name=done_on]").fill(done_on)
        page.get_by_role("button", name="Record", exact=True).click()
        page.wait_for_load_state()
    person = person_of(user_id=family.pk)
    assert person is not None and person.status == "approved"
    after = off_loop(lambda: _round(program, coordinator))
    placed = Proposal.objects.filter(round=after, host_application__user=family)
    assert placed.count() == 1, after.stats
    assert Application.objects.filter(program=program).count() == 2
    assert problems == [] and browsing.problems == []


def test_report_to_the_city_passes_axe_and_prints_on_a4(
    browsing: Browsing, coordinator: User, tmp_path: Path
) -> None:
    from tests.matching.test_city_report import past_program, visit

    def history() -> None:
        program = past_program(timezone.localdate() - dt.timedelta(days=30))
        for nationality in ("VN", "VN", "VN", "NP", "KR", "KR", "KR"):
            visit(program, nationality=nationality)

    off_loop(history)
    page = browsing.page(coordinator, language="ja")
    page.goto(reverse("frontend:coordinator:city_report"))
    assert page.get_by_role("img", name="国籍別の留学生").count() == 1
    assert page.locator("button[data-print]").is_visible()
    problems = browsing.audit(page, "coordinator-city-report")
    page.emulate_media(media="print")
    assert not page.locator(".report-actions").is_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert problems == [] and browsing.problems == []
