"""Reading an uploaded registry: an XLSX workbook (openpyxl) or a CSV file, into a header row
and the rows under it, as text. A file that is not one of these, too big, or empty raises
``ValidationError`` on ``file`` with a message that says which."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

# Bounds on one import's work: an association's registry is a few hundred people.
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 60
# What a workbook may unpack to: a 2 MB zip can hold gigabytes of repeated text.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024

_XLSX_MAGIC = b"PK\x03\x04"
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Table:
    """The header row and the data rows, each cell as stripped text; ``numbers`` holds each
    data row's number in the spreadsheet (what a person sees in Excel), blank rows skipped."""

    header: list[str]
    rows: list[list[str]]
    numbers: list[int]


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]}, code="invalid")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        unpacked = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(_("The file is not a readable XLSX workbook.")) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(
            _("The workbook unpacks to more than %(size)d MB.")
            % {"size": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise _refuse(_("The file is not a readable XLSX workbook.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        rows = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            cells = [_cell_text(v) for v in values]
            # openpyxl pads a row to max_col with empty cells.
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise _refuse(_("The file is not a spreadsheet: save it as XLSX or CSV."))
    # Excel in Japan saves CSV as Shift_JIS (cp932); elsewhere UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(_("The CSV file is neither UTF-8 nor Shift_JIS text."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = []
        for values in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append([v.strip() for v in values[: MAX_COLUMNS + 1]])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        raise _refuse(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def table_read(*, upload: IO[bytes], filename: str) -> Table:
    """The first sheet of an XLSX workbook, or a CSV file, as a ``Table``. The first row with
    any text is the header; blank rows are skipped. Raises ValidationError on ``file``: too big,
    not a spreadsheet (an old .xls is named as such), empty, too many rows or columns."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise _refuse(_("The file is empty."))
    if data.startswith(_OLD_EXCEL_MAGIC):
        raise _refuse(_("This is an old Excel file (.xls): save it as .xlsx or CSV."))
    if data.startswith(_XLSX_MAGIC):
        raw = _xlsx_rows(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise _refuse(_("The file is not a readable XLSX workbook."))
    else:
        raw = _csv_rows(data)
    rows = [(number, row) for number, row in enumerate(raw, start=1) if any(row)]
    if not rows:
        raise _refuse(_("The file is empty."))
    if len(rows) - 1 > MAX_ROWS:
        raise _refuse(_("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS})
    _header_number, header = rows[0]
    if len(header) > MAX_COLUMNS:
        raise _refuse(_("The file has more than %(columns)d columns.") % {"columns": MAX_COLUMNS})
    if len(rows) == 1:
        raise _refuse(_("The file has a header but no rows under it."))
    # Each row keeps its spreadsheet number: the dry run names rows as Excel shows them.
    width = len(header)
    return Table(
        header=header,
        rows=[row[:width] + [""] * (width - len(row)) for _number, row in rows[1:]],
        numbers=[number for number, _row in rows[1:]],
    )
