"""The report to the city as an XLSX workbook: one sheet per table, headers in the active
language, small counts masked (``matching.selectors.city_report.report_data(mask=True)``)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from matching.selectors.city_report import CityReport, report_data


def total_labels() -> dict[str, str]:
    """The totals' names as people read them (the page, the workbook)."""
    return {
        "student_applicants": _("Students who applied"),
        "family_applicants": _("Families who applied"),
        "placed": _("Students placed"),
        "families_hosting": _("Families who hosted"),
        "visits_held": _("Visits held"),
        "visits_to_come": _("Visits still to come"),
        "cancelled": _("Visits cancelled"),
        "no_shows": _("No-shows"),
        "feedback": _("Feedback answers"),
        "mean_rating": _("Mean feedback rating (1 to 5)"),
    }


def family_labels() -> dict[str, str]:
    return {
        "active": _("Families approved in the period"),
        "new": _("Families approved for the first time"),
        "lapsed": _("Families whose approval lapsed"),
    }


def who_labels() -> dict[str, str]:
    return {"students": _("Students"), "families": _("Families")}


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet: Worksheet = workbook.create_sheet(title[:31])  # Excel's limit on a sheet's name
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            # openpyxl takes a string starting with "=" for a formula: people's words (a
            # school, a reason) must stay text, or Excel would run them.
            if cell.data_type == "f":
                cell.data_type = "s"
    sheet.column_dimensions["A"].width = 40


def report_workbook(report: CityReport) -> bytes:
    """The workbook's bytes; every cell a value, none a formula."""
    data = report_data(report, mask=True)
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new workbook has one sheet
    workbook.remove(first)
    labels = total_labels()
    period = [_("Period"), _("%(start)s to %(end)s") % {"start": data["from"], "end": data["to"]}]
    programme = [_("Programme"), data["program"]["name"] if data["program"] else _("All")]
    _sheet(
        workbook,
        _("Summary"),
        [_("Measure"), _("Number")],
        [period, programme, *([labels.get(k, k), v] for k, v in data["totals"].items())],
    )
    _sheet(
        workbook,
        _("By nationality"),
        [_("Nationality"), _("Applicants"), pgettext("city report", "Placed")],
        [[row["name"], row["applicants"], row["placed"]] for row in data["by_nationality"]],
    )
    _sheet(
        workbook,
        _("By school"),
        [_("School"), _("Applicants"), pgettext("city report", "Placed")],
        [[row["school"], row["applicants"], row["placed"]] for row in data["by_school"]],
    )
    whos = who_labels()
    _sheet(
        workbook,
        _("First time or repeat"),
        ["", _("First time"), _("Repeat")],
        [[whos[row["who"]], row["first_time"], row["repeat"]] for row in data["first_time"]],
    )
    families = family_labels()
    _sheet(
        workbook,
        _("Families"),
        [_("Measure"), _("Number")],
        [[families[k], v] for k, v in data["families"].items()],
    )
    _sheet(
        workbook,
        _("Feedback ratings"),
        [_("Rating"), _("Answers")],
        [[row["rating"], row["count"]] for row in data["ratings"]],
    )
    _sheet(
        workbook,
        _("Decline reasons"),
        [_("Reason"), _("Times given")],
        [
            [row["reason"] or _("Other or none given"), row["count"]]
            for row in data["decline_reasons"]
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
