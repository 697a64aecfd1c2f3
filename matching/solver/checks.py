"""Checks of a problem's places and groups, each naming the field (``encode`` calls them)."""

from __future__ import annotations

from collections.abc import Sequence

from .types import HostIn, PinError, Problem, SolverInputError, StudentIn


def check_places(students: Sequence[StudentIn], hosts: Sequence[HostIn]) -> None:
    """Coordinates are numbers on the globe (NaN is refused) and travel limits are >= 0."""
    for who, rows in (("students", students), ("hosts", hosts)):
        for r in rows:
            for name, lo, hi in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
                v = getattr(r, name)
                if not (isinstance(v, int | float) and lo <= v <= hi):  # NaN fails too
                    raise SolverInputError(f"{who}[{r.key}].{name}: {v!r} is not in {lo}..{hi}")
    for s in students:
        if not (isinstance(s.max_travel_minutes, int | float) and s.max_travel_minutes >= 0):
            raise SolverInputError(
                f"students[{s.key}].max_travel_minutes: {s.max_travel_minutes!r} is not >= 0"
            )


def group_rows(
    problem: Problem,
    s_row: dict[int, int],
    h_row: dict[int, int],
    pin_s: list[int],
    pin_h: list[int],
) -> tuple[list[int], list[int]]:
    """The rows of each group's two members; each a known student in one group only, and the
    two not pinned to different families."""
    students, hosts = problem.students, problem.hosts
    group_a: list[int] = []
    group_b: list[int] = []
    in_group: set[int] = set()
    for ka, kb in problem.groups:
        for k in (ka, kb):
            if k not in s_row:
                raise SolverInputError(f"groups[({ka}, {kb})]: no student application {k}")
            if k in in_group or ka == kb:
                raise SolverInputError(f"groups[({ka}, {kb})]: student {k} is in two groups")
            in_group.add(k)
        group_a.append(s_row[ka])
        group_b.append(s_row[kb])
    pinned_to = dict(zip(pin_s, pin_h, strict=True))
    for a, b in zip(group_a, group_b, strict=True):
        ha, hb = pinned_to.get(a), pinned_to.get(b)
        if ha is not None and hb is not None and ha != hb:
            raise PinError(
                int(students[b].key),
                int(hosts[hb].key),
                "group",
                f"the partner {students[a].key} is pinned to another family",
            )

    return group_a, group_b
