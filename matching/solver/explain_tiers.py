"""Why a student of a group, a "not alone" student or one who lost a tie was left out."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .encode import Encoded
from .types import Reason

IntA = npt.NDArray[Any]
BoolA = npt.NDArray[np.bool_]


def explain_rules(
    enc: Encoded, rows: IntA, lost_tie: BoolA, rank: IntA, ticket: IntA, seed: int
) -> tuple[list[list[Reason]], list[list[Reason]]]:
    """The reasons of the group, "not alone" and fair-tie rules for unplaced rows ``rows``:
    (reasons to put first, reasons to put last) for each row."""
    partner: dict[int, int] = {}
    for a, b in zip(enc.group_a.tolist(), enc.group_b.tolist(), strict=True):
        partner[a], partner[b] = int(enc.s_key[b]), int(enc.s_key[a])
    first: list[list[Reason]] = []
    last: list[list[Reason]] = []
    for s in rows.tolist():
        head: list[Reason] = []
        if s in partner:
            head.append(
                Reason(
                    "group",
                    {"partner": partner[s]},
                    f"placed only together with {partner[s]} (same family, same day): "
                    "no family had room for both on a day that suits both",
                )
            )
        if enc.s_not_alone[s]:
            head.append(
                Reason(
                    "not_alone",
                    {},
                    "placed only where a second student visits the same family the same "
                    "day: no such place was left",
                )
            )
        tail: list[Reason] = []
        if lost_tie[s]:
            params = {
                "rank": int(rank[s]) + 1,
                "of": enc.n,
                "first_visit": bool(enc.s_visits_before[s] == 0),
                "unplaced_before": int(enc.s_unplaced_before[s]),
                "lottery_seed": seed,
                "lottery_number": int(ticket[s]) + 1,
            }
            tail.append(
                Reason(
                    "priority",
                    params,
                    "others fitted as well as you; among equals first-time visitors go "
                    "first, then those left unplaced before, then the lottery "
                    f"(seed {seed}, your number {params['lottery_number']})",
                )
            )
        first.append(head)
        last.append(tail)
    return first, last
