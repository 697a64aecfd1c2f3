"""The registry template a coordinator downloads: the columns' headers in Japanese or English,
one example row, and a second sheet saying what each column takes."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.imports.checks import columns_for


def template_workbook(*, kind: str, language: str) -> bytes:
    """An XLSX file for ``kind`` (hosts or students) with headers in ``language`` (ja or en)."""
    columns = columns_for(kind)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    with translation.override(language):
        sheet.title = _("Families") if kind == "hosts" else _("Students")
        sheet.append([column.header(language) for column in columns])
        sheet.append(
            [column.example_ja if language == "ja" else column.example_en for column in columns]
        )
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        notes = workbook.create_sheet(_("How to fill in"))
        notes.append([_("Column"), _("Required"), _("Example")])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for column in columns:
            notes.append(
                [
                    column.header(language),
                    _("yes") if column.required else "",
                    column.example_ja if language == "ja" else column.example_en,
                ]
            )
        notes.append([])
        notes.append(
            [
                _(
                    "Lists (pets, languages, diets, interests) take several values "
                    "separated by commas."
                )
            ]
        )
        notes.append(
            [
                _(
                    "A language may carry its level in brackets; without one it counts "
                    "as intermediate."
                )
            ]
        )
        notes.append([_("An empty cell keeps what a person already has.")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
