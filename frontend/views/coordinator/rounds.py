"""Rounds: starting one (weights, pins, forbids), its review page, publishing it, and two
rounds side by side."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.api.fields import ID_MAX
from frontend.views.coordinator.common import (
    coordinator_of,
    coordinator_required,
    program_or_404,
    service_errors,
)
from frontend.views.coordinator.review import (
    CRITERION_HELP,
    CRITERION_LABELS,
    default_weights,
    round_review,
    weights_of,
)
from matching.models import Program, Round
from matching.selectors import rounds as round_selectors
from matching.selectors.rounds import RoundDetail
from matching.services import proposals as proposal_services
from matching.services import rounds as round_services
from matching.solver.score import MAX_WEIGHT

# Why publishing skipped a draft pair (matching.services.proposals.PublishResult.skipped).
SKIP_REASONS = {
    "withdrawn": gettext_lazy("an application was withdrawn"),
    "account_deleted": gettext_lazy("an account was deleted"),
    "student_taken": gettext_lazy("the student already has a visit"),
    "registry_status": gettext_lazy("a family is no longer approved or a student confirmed"),
    "no_seat": gettext_lazy("the family no longer offers that day"),
    "seat_taken": gettext_lazy("the family's seats that day are taken"),
}


def row_id(text: str) -> int | None:
    """``text`` as a row's id, or None: ASCII digits only (``str.isdigit`` also takes "²",
    which ``int`` refuses) and no more than a database id holds."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


class PairsField(forms.Field):
    """Pairs of application numbers, one pair per line: "12, 34" (student, then family)."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def to_python(self, value: Any) -> list[list[int]]:
        text = "" if value in self.empty_values else str(value)
        pairs: list[list[int]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            parts = line.replace(",", " ").replace("-", " ").split()
            if not parts:
                continue
            ids = [row_id(part) for part in parts]
            student, family = ids if len(ids) == 2 else (None, None)
            if student is None or family is None:
                raise ValidationError(
                    _(
                        "Line %(line)d: write a student's and a family's application number, "
                        "such as “12, 34”."
                    )
                    % {"line": number},
                    code="pair",
                )
            pairs.append([student, family])
        if len(pairs) > Round.MAX_PAIRS:
            raise ValidationError(
                _("Give at most %(n)d pairs.") % {"n": Round.MAX_PAIRS}, code="too_many"
            )
        return pairs


class RoundForm(forms.Form):
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=Round.Mode.choices,
        initial=Round.Mode.OPTIMAL,
        widget=forms.RadioSelect,
    )
    pins = PairsField(
        label=gettext_lazy("Pins: pairs that must be proposed"),
        required=False,
        help_text=gettext_lazy(
            "One pair per line: the student's application number, then the family's "
            "(e.g. “12, 34”)."
        ),
    )
    forbids = PairsField(
        label=gettext_lazy("Forbids: pairs that must not be proposed"),
        required=False,
        help_text=gettext_lazy("One pair per line, like the pins."),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if program.kind == Program.Kind.LANGUAGE_EXCHANGE:
            self.fields["pins"].help_text = _(
                "One pair per line: the two people's application numbers (e.g. “12, 34”)."
            )
        self.criteria = list(default_weights(program).items())
        for name, default in self.criteria:
            help_text = CRITERION_HELP.get(name, "")
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=CRITERION_LABELS.get(name, name),
                required=False,
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=default,
                help_text=format_lazy(
                    "{} {}", help_text, _("Default: %(default)g.") % {"default": default}
                ),
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{name}"] for name, _default in self.criteria]

    def weights(self) -> dict[str, float]:
        """Each criterion's weight; a field left empty keeps the default."""
        weights: dict[str, float] = {}
        for name, default in self.criteria:
            chosen = self.cleaned_data.get(f"weight_{name}")
            weights[name] = default if chosen is None else float(chosen)
        return weights


def _pairs_text(pairs: list[list[int]]) -> str:
    return "\n".join(f"{a}, {b}" for a, b in pairs)


def _round_initial(request: HttpRequest, program: Program) -> dict[str, Any]:
    """The form's starting values: the defaults, or an earlier round's settings (``?from=``)
    plus one pair to pin or forbid (``?pin=12-34`` / ``?forbid=12-34``), so that the review
    page can offer "forbid this pair and run again"."""
    initial: dict[str, Any] = {}
    source_id = row_id(request.GET.get("from", ""))
    source = (
        round_selectors.round_of_program(program=program, round_id=source_id)
        if source_id is not None
        else None
    )
    pins: list[list[int]] = []
    forbids: list[list[int]] = []
    if source is not None:
        initial["mode"] = source.mode
        initial.update({f"weight_{k}": v for k, v in weights_of(source).items()})
        pins = [list(p) for p in source.pins]
        forbids = [list(p) for p in source.forbids]
    for key, pairs in (("pin", pins), ("forbid", forbids)):
        ids = [row_id(part) for part in request.GET.get(key, "").split("-")]
        student, family = ids if len(ids) == 2 else (None, None)
        if student is not None and family is not None:
            pair = [student, family]
            if pair not in pairs:
                pairs.append(pair)
    initial["pins"] = _pairs_text(pins)
    initial["forbids"] = _pairs_text(forbids)
    return initial


@coordinator_required
@require_http_methods(["GET", "POST"])
def round_start(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    form = RoundForm(
        request.POST or None, program=program, initial=_round_initial(request, program)
    )
    if request.method == "POST" and form.is_valid():
        # "weights" (as a whole) and "program" have no field: they show above the form.
        with service_errors(form) as outcome:
            rnd = round_services.round_start(
                program=program,
                by=coordinator_of(request),
                weights=form.weights(),
                pins=form.cleaned_data["pins"],
                forbids=form.cleaned_data["forbids"],
                mode=form.cleaned_data["mode"],
            )
        if outcome.ok:
            return redirect("frontend:coordinator:round", round_id=rnd.pk)
    context = {"program": program, "form": form}
    status = 400 if form.is_bound else 200
    return render(request, "frontend/coordinator/round_form.html", context, status=status)


def _round_page(
    request: HttpRequest, detail: RoundDetail, *, conflict: str = "", status: int = 200
) -> HttpResponse:
    rnd = detail.round
    context = round_review(detail)
    others = [
        r
        for r in round_selectors.rounds_of_program(program=rnd.program)
        if r.pk != rnd.pk and r.status in (Round.Status.DRAFT, Round.Status.PUBLISHED)
    ]
    context.update(
        {
            "program": rnd.program,
            "in_progress": rnd.status in (Round.Status.QUEUED, Round.Status.RUNNING),
            "status_labels": dict(Round.Status.choices),
            "others": others,
            "conflict": conflict,
        }
    )
    return render(request, "frontend/coordinator/round.html", context, status=status)


@coordinator_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_page(request, round_selectors.round_detail(round_id=round_id))


@coordinator_required
@require_POST
def round_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    detail = round_selectors.round_detail(round_id=round_id)
    rnd = detail.round
    with service_errors() as outcome:
        result = proposal_services.round_publish(round_id=rnd.pk, by=coordinator_of(request))
    if outcome.refused:
        return _round_page(request, detail, conflict=outcome.refused, status=409)
    messages.success(
        request,
        ngettext(
            "Published: %(count)d proposal went out to both sides.",
            "Published: %(count)d proposals went out to both sides.",
            len(result.published),
        )
        % {"count": len(result.published)},
    )
    if result.skipped:
        reasons = sorted({str(SKIP_REASONS.get(s["reason"], s["reason"])) for s in result.skipped})
        messages.warning(
            request,
            ngettext(
                "%(count)d pair was not sent: %(reasons)s.",
                "%(count)d pairs were not sent: %(reasons)s.",
                len(result.skipped),
            )
            % {"count": len(result.skipped), "reasons": "; ".join(reasons)},
        )
    return redirect("frontend:coordinator:answers", program_id=rnd.program_id)


@coordinator_required
def rounds_compare(request: HttpRequest, program_id: int) -> HttpResponse:
    program = program_or_404(program_id)
    try:
        ids = [int(request.GET.get("a", "")), int(request.GET.get("b", ""))]
    except ValueError as exc:
        raise Http404 from exc
    sides = [round_selectors.round_detail(round_id=round_id) for round_id in ids]
    if any(side.round.program_id != program.pk for side in sides):
        raise Http404
    reviews = [round_review(rnd) for rnd in sides]
    # Per metric: which side is better (None on a tie or a missing figure).
    rows: list[dict[str, Any]] = []
    for left, right in zip(reviews[0]["metrics"], reviews[1]["metrics"], strict=True):
        better = None
        a, b = left["value"], right["value"]
        if isinstance(a, int | float) and isinstance(b, int | float) and a != b:
            better = 0 if (a > b) == left["higher"] else 1
        rows.append(
            {
                "label": left["label"],
                "cells": [
                    {"round": review["round"], "text": side["text"], "better": better == index}
                    for index, (review, side) in enumerate(zip(reviews, (left, right), strict=True))
                ],
            }
        )
    # Students (in a language exchange, everyone) placed differently by the two rounds.
    exchange = reviews[0]["exchange"]
    placed = [_placements(review["pairs"], exchange=exchange) for review in reviews]
    names = {app: place["name"] for places in placed for app, place in places.items()}
    differences = []
    for app, name in sorted(names.items(), key=lambda item: item[1]):
        left, right = placed[0].get(app), placed[1].get(app)
        if left is not None and right is not None and left["key"] == right["key"]:
            continue
        differences.append(
            {
                "name": name,
                "cells": [
                    {"round": review["round"], "place": place}
                    for review, place in zip(reviews, (left, right), strict=True)
                ],
            }
        )
    context = {
        "program": program,
        "reviews": reviews,
        "rows": rows,
        "differences": differences,
        "same": len(names) - len(differences),
        "exchange": exchange,
    }
    return render(request, "frontend/coordinator/compare.html", context)


def _placements(pairs: list[dict[str, Any]], *, exchange: bool) -> dict[int, dict[str, Any]]:
    """By application id, where a round put each student: with whom, on which day, at what
    score (``key`` tells two placements apart). Both partners of a language exchange are
    placed, each with the other, on no particular day."""
    placements: dict[int, dict[str, Any]] = {}
    for pair in pairs:
        proposal = pair["proposal"]
        sides = [("student", "host")] + ([("host", "student")] if exchange else [])
        for me, other in sides:
            placements[proposal[f"{me}_application"]] = {
                "name": proposal[me]["name"],
                "with": proposal[other]["name"],
                "date": None if exchange else proposal["date"],
                "score": proposal["score"],
                "key": (proposal[f"{other}_application"], proposal["date"]),
            }
    return placements
