"""The report to the city: a period and programme, its tables with bar charts drawn on the
server (SVG, with the numbers beside the bars), printable on A4, and its XLSX download (the
API's ``/api/reports/summary.xlsx``). It shows what the downloads show: small counts masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from frontend.views.coordinator.common import coordinator_required, service_errors
from matching.models import Program
from matching.report_workbook import family_labels, total_labels, who_labels
from matching.selectors.city_report import city_report, fiscal_year, report_data, report_period

# The chart's geometry, in SVG units: the label column, the bars, the number after each bar.
LABEL_WIDTH, BAR_WIDTH, WIDTH = 190, 330, 600
BAR_HEIGHT, ROW_GAP = 14, 8
LABEL_CHARS = 18


class ReportForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Program.objects.order_by("-created_at"),
        required=False,
        empty_label=gettext_lazy("All programmes"),
    )


@dataclass
class Bar:
    y: int
    width: float
    value: Any
    series: int

    @property
    def value_x(self) -> float:
        """Where the number beside the bar starts."""
        return LABEL_WIDTH + self.width + 6


@dataclass
class ChartRow:
    label: str
    short: str
    y: int
    bars: list[Bar]


@dataclass
class Chart:
    key: str
    title: str
    series: list[str]
    rows: list[ChartRow]
    height: int

    @property
    def description(self) -> str:
        """Every number of the chart, as a sentence for screen readers."""
        return "; ".join(
            f"{row.label}: "
            + ", ".join(f"{self.series[bar.series]} {bar.value}" for bar in row.bars)
            for row in self.rows
        )


def _number(value: Any) -> float:
    # A masked count is drawn as the smallest bar: its length says nothing about 1 or 2.
    return 1.0 if value == "<3" else float(value or 0)


def bar_chart(key: str, title: str, series: list[str], rows: list[tuple[str, list[Any]]]) -> Chart:
    """A horizontal bar chart: one row per label, one bar per series, scaled to the largest."""
    largest = max((_number(v) for _label, values in rows for v in values), default=0) or 1
    row_height = BAR_HEIGHT * len(series) + ROW_GAP
    chart_rows = []
    for index, (label, values) in enumerate(rows):
        top = index * row_height
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars = [
            Bar(
                y=top + n * BAR_HEIGHT,
                width=round(BAR_WIDTH * _number(value) / largest, 1),
                value=value,
                series=n,
            )
            for n, value in enumerate(values)
        ]
        chart_rows.append(ChartRow(label=label, short=short, y=top, bars=bars))
    return Chart(
        key=key, title=title, series=series, rows=chart_rows, height=len(rows) * row_height
    )


def _charts(data: dict[str, Any]) -> list[Chart]:
    totals, labels = data["totals"], total_labels()
    who = who_labels()
    applicants_placed = [_("Applicants"), pgettext("city report", "Placed")]
    return [
        bar_chart(
            "visits",
            _("Applicants, placements and visits"),
            [_("Number")],
            [
                (labels[key], [totals[key]])
                for key in ("student_applicants", "placed", "visits_held", "cancelled", "no_shows")
                if key in totals
            ],
        ),
        bar_chart(
            "nationality",
            _("Students by nationality"),
            applicants_placed,
            [(row["name"], [row["applicants"], row["placed"]]) for row in data["by_nationality"]],
        ),
        bar_chart(
            "school",
            _("Students by school"),
            applicants_placed,
            [(row["school"], [row["applicants"], row["placed"]]) for row in data["by_school"]],
        ),
        bar_chart(
            "first_time",
            _("First visit or a repeat"),
            [_("First time"), _("Repeat")],
            [(who[row["who"]], [row["first_time"], row["repeat"]]) for row in data["first_time"]],
        ),
        bar_chart(
            "ratings",
            _("Feedback ratings"),
            [_("Answers")],
            [
                (_("%(stars)d of 5") % {"stars": row["rating"]}, [row["count"]])
                for row in data["ratings"]
            ],
        ),
    ]


@coordinator_required
@require_GET
def city_report_page(request: HttpRequest) -> HttpResponse:
    this_year = fiscal_year(timezone.localdate())
    form = ReportForm(request.GET or None, initial={"start": this_year[0], "end": this_year[1]})
    context: dict[str, Any] = {
        "form": form,
        "chart": {"label_width": LABEL_WIDTH, "bar_x": LABEL_WIDTH, "width": WIDTH},
    }
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not cleaned:
        return render(request, "frontend/coordinator/city_report.html", context)
    with service_errors(form, field_map={"to": "end", "from": "start"}) as outcome:
        start, end = report_period(start=cleaned.get("start"), end=cleaned.get("end"))
        program = cleaned.get("program")
        report = city_report(start=start, end=end, program_id=program.pk if program else None)
    if not outcome.ok:
        return render(request, "frontend/coordinator/city_report.html", context)
    data = report_data(report, mask=True)
    query = {"from": start.isoformat(), "to": end.isoformat()}
    if program is not None:
        query["program"] = str(program.pk)
    labels = total_labels()
    context.update(
        report=report,
        data=data,
        charts=_charts(data),
        totals=[(labels[key], value) for key, value in data["totals"].items()],
        families=[(label, data["families"][key]) for key, label in family_labels().items()],
        workbook_url=reverse("api-report-workbook") + "?" + urlencode(query),
    )
    return render(request, "frontend/coordinator/city_report.html", context)
