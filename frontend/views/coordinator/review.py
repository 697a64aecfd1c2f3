"""What a round's review shows: score bars per criterion, exchange directions, the
unplaced with their reasons, the headline metrics and the score histogram."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.selectors import reference_labels
from frontend.views.coordinator.reasons import join_items, unplaced_items
from matching.models import Program, Proposal, Round
from matching.selectors import proposals as proposal_selectors
from matching.selectors.attendance import person_records
from matching.selectors.rounds import RoundDetail
from matching.solver.exchange import EXCHANGE_DEFAULT_WEIGHTS
from matching.solver.score import DEFAULT_WEIGHTS

CRITERION_LABELS = {
    "language": gettext_lazy("Language"),
    "interests": gettext_lazy("Shared interests"),
    "travel": gettext_lazy("Travel time"),
    "household": gettext_lazy("Household fit"),
    "dates": gettext_lazy("Preferred day"),
    "fairness_student": gettext_lazy("Fairness to the student"),
    "fairness_host": gettext_lazy("Fairness to the family"),
    "reliability": gettext_lazy("Reliability"),
    # Language exchange
    "level_fit": gettext_lazy("Level fit"),
    "shared_interests": gettext_lazy("Shared interests"),
    "time_overlap": gettext_lazy("Shared time slots"),
    "fairness": gettext_lazy("Fairness"),
}
CRITERION_HELP = {
    "language": gettext_lazy("A language both can talk in, and Japanese practice."),
    "interests": gettext_lazy("Interests they share."),
    "travel": gettext_lazy("A shorter trip from the student's station."),
    "household": gettext_lazy("Children at home for a student who loves children."),
    "dates": gettext_lazy("The student's first choice of day counts most."),
    "fairness_student": gettext_lazy("A boost for students left out of earlier rounds."),
    "fairness_host": gettext_lazy("A boost for families that have hosted less."),
    "reliability": gettext_lazy(
        "Fewer points for a student who did not come to an earlier visit, or a family that "
        "cancelled one on the day. Weight 0 turns it off."
    ),
}


def default_weights(program: Program) -> dict[str, float]:
    if program.kind == Program.Kind.LANGUAGE_EXCHANGE:
        return dict(EXCHANGE_DEFAULT_WEIGHTS)
    return dict(DEFAULT_WEIGHTS)


def weights_of(rnd: Round) -> dict[str, float]:
    """The weights the round ran with: the defaults, overridden by the coordinator's."""
    weights = default_weights(rnd.program)
    weights.update({k: float(v) for k, v in (rnd.weights or {}).items() if k in weights})
    return weights


def breakdown_bars(breakdown: dict[str, Any], weights: dict[str, float]) -> list[dict[str, Any]]:
    """A bar per criterion: its points against the most it could give (its weight)."""
    bars = []
    for key in [*weights, *(k for k in breakdown if k not in weights)]:
        points = float(breakdown.get(key) or 0)
        most = weights.get(key) or max(points, 1.0)
        width = 0 if most <= 0 else max(0, min(100, round(100 * points / most)))
        bars.append(
            {
                "key": key,
                "label": CRITERION_LABELS.get(key, key),
                "points": points,
                "most": most,
                "width": width,
            }
        )
    return bars


def _add_exchange_directions(rnd: Round, pairs: list[dict[str, Any]]) -> None:
    """Both directions of each exchange pair ("A teaches B Japanese; B teaches A English"),
    from what the exchange solver stored with the round (the proposal row has no column)."""
    stored = (rnd.stats or {}).get("exchange_pairs", {})
    languages = reference_labels(kinds=("languages",))["languages"]
    for pair in pairs:
        proposal = pair["proposal"]
        names = {
            proposal["student_application"]: proposal["student"]["name"],
            proposal["host_application"]: proposal["host"]["name"],
        }
        info = stored.get(str(proposal["id"]), {})
        pair["meeting"] = info.get("meeting", "")
        pair["directions"] = [
            _("%(teacher)s teaches %(learner)s %(language)s")
            % {
                "teacher": names.get(d["teacher"], f"#{d['teacher']}"),
                "learner": names.get(d["learner"], f"#{d['learner']}"),
                "language": languages.get(d["language"], d["language"]),
            }
            for d in info.get("directions", [])
        ]


STATUS_LABELS = dict(Proposal.Status.choices)


def together_notes(proposals: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Per proposal id, who the student visits with and why: their group's partner (placed
    on the same family and day, as they asked), and for a student who asked not to visit
    alone, the others visiting the same family that day."""
    by_application = {p["student_application"]: p for p in proposals}
    same_day: dict[tuple[int, Any], list[str]] = {}
    for p in proposals:
        same_day.setdefault((p["host_application"], p["date"]), []).append(p["student"]["name"])
    notes: dict[int, list[str]] = {}
    for p in proposals:
        lines = []
        partner = by_application.get(p.get("group_partner") or 0)
        if partner is not None:
            lines.append(
                _("Placed together with %(name)s, as they asked.")
                % {"name": partner["student"]["name"]}
            )
        if p.get("not_alone"):
            others = list(same_day[(p["host_application"], p["date"])])
            others.remove(p["student"]["name"])
            lines.append(
                _("Not alone, as they asked: with %(names)s that day.")
                % {"names": join_items(others)}
            )
        notes[p["id"]] = lines
    return notes


def round_review(detail: RoundDetail) -> dict[str, Any]:
    """Everything the review page shows of one round (``round_selectors.round_detail``, the
    API's read): pairs, unplaced, metrics, histogram."""
    rnd = detail.round
    weights = weights_of(rnd)
    ratings = proposal_selectors.host_ratings(
        user_ids=[p["host"]["user"] for p in detail.proposals]
    )
    records = person_records(
        user_ids=[p[side]["user"] for p in detail.proposals for side in ("student", "host")]
    )
    together = together_notes(detail.proposals)
    pairs = [
        {
            "together": together[proposal["id"]],
            # The status badge (``_proposal_status.html``) reads the label as on a model.
            "proposal": {**proposal, "get_status_display": STATUS_LABELS[proposal["status"]]},
            "bars": breakdown_bars(proposal["breakdown"], weights),
            "rating": ratings.get(proposal["host"]["user"]),
            "student_record": records.get(proposal["student"]["user"]),
            "host_record": records.get(proposal["host"]["user"]),
        }
        for proposal in detail.proposals
    ]
    exchange = rnd.program.kind == Program.Kind.LANGUAGE_EXCHANGE
    if exchange:
        _add_exchange_directions(rnd, pairs)
    unplaced = unplaced_items(detail.unmatched)
    stats = rnd.stats or {}
    return {
        "round": rnd,
        "exchange": exchange,
        "pairs": pairs,
        "unplaced": unplaced,
        # A language exchange has no sides: everyone left over is listed together.
        "unplaced_students": [u for u in unplaced if exchange or u["role"] == Role.STUDENT],
        "unplaced_hosts": [u for u in unplaced if not exchange and u["role"] == Role.HOST],
        "stats": stats,
        "metrics": _metrics(stats, exchange=exchange),
        "histogram": histogram_svg(stats.get("score_histogram") or stats.get("histogram")),
        "weights": [(CRITERION_LABELS.get(k, k), v) for k, v in weights.items()],
    }


def _metrics(stats: dict[str, Any], *, exchange: bool = False) -> list[dict[str, Any]]:
    """The headline figures, in a fixed order; ``higher`` says which way is better. A language
    exchange has pairs and people without a partner, not placed and unplaced students."""
    rows = [
        ("matched", _("Pairs") if exchange else _("Placed"), True),
        ("unmatched", _("People without a partner") if exchange else _("Unplaced students"), False),
        ("mean_score", _("Mean score"), True),
        ("min_score", _("Lowest score"), True),
        ("total_score", _("Total score"), True),
        ("blocking_pairs", _("Blocking pairs"), False),
    ]
    metrics = []
    for key, label, higher in rows:
        value = stats.get(key)
        if isinstance(value, list | tuple):
            value = len(value)
        if value is None:
            text = "\u2013"
        elif key.endswith("_score"):
            text = floatformat(value, 1)
        else:
            text = str(value)
        metrics.append({"key": key, "label": label, "value": value, "text": text, "higher": higher})
    return metrics


def histogram_svg(histogram: Any) -> dict[str, Any] | None:
    """Bars for an SVG histogram (geometry in SVG attributes, never inline styles).

    Accepts ``{"edges": [...], "counts": [...]}`` (edges one longer than counts) or a list of
    ``{"low", "high", "count"}`` bins."""
    bins: list[tuple[float, float, int]] = []
    if isinstance(histogram, dict) and "counts" in histogram:
        edges = list(histogram.get("edges") or histogram.get("bins") or [])
        counts = list(histogram["counts"])
        if len(edges) == len(counts) + 1:
            bins = [(float(edges[i]), float(edges[i + 1]), int(c)) for i, c in enumerate(counts)]
    elif isinstance(histogram, list):
        for item in histogram:
            if isinstance(item, dict) and "count" in item:
                low = item.get("low", item.get("from", item.get("start", 0)))
                high = item.get("high", item.get("to", item.get("end", low)))
                bins.append((float(low or 0), float(high or 0), int(item["count"])))
    if not bins:
        return None
    top = max(count for _low, _high, count in bins) or 1
    width, height, gap, base = 320, 120, 4, 100
    bar_width = (width - gap * (len(bins) + 1)) / len(bins)
    bars = []
    for index, (low, high, count) in enumerate(bins):
        bar_height = round(80 * count / top, 1)
        x = round(gap + index * (bar_width + gap), 1)
        bars.append(
            {
                "x": x,
                "y": round(base - bar_height, 1),
                "width": round(bar_width, 1),
                "height": bar_height,
                "count": count,
                "low": low,
                "high": high,
                "label_x": round(x + bar_width / 2, 1),
                "count_y": round(base - bar_height - 3, 1),
            }
        )
    return {"bars": bars, "width": width, "height": height, "base": base}
