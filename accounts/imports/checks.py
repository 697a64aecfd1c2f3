"""The association's vetting checks as columns of the families' registry: a cell holds the
date a check was done (「2025/4/12」, 2025-04-12, 2025年4月12日, or an Excel date), and
committing records it as the coordinator's (``accounts.registry.services.check_record``), so a
family whose required checks are all there comes in approved."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.imports.columns import COLUMNS, CellError, Column
from accounts.registry.selectors import vetting_checks

CHECK_PREFIX = "check:"
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def done_on(text: str, *, today: dt.date | None = None) -> dt.date:
    """The date a check was done: a real day, not after today."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    try:
        day = dt.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        day = None
    if day is None:
        raise CellError(_("「%(value)s」 is not a date such as 2025/4/12.") % {"value": text})
    if day > (today or timezone.localdate()):
        raise CellError(_("「%(value)s」 is in the future.") % {"value": text})
    return day


def columns_for(kind: str) -> tuple[Column, ...]:
    """The columns of a registry of ``kind``: for families, one more per active check."""
    if kind != "hosts":
        return COLUMNS[kind]
    example = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    return (
        *COLUMNS[kind],
        *(
            Column(
                f"{CHECK_PREFIX}{check.code}",
                check.name_ja,
                check.name_en,
                done_on,
                example_ja=example,
                example_en=example,
            )
            for check in vetting_checks()
        ),
    )
