"""Writes for matching rounds: start one (validate the coordinator's levers, enqueue the run)
and run one (select the free applicants, encode them for the solver, solve, store the draft).

A round moves ``queued → running → draft`` or ``failed`` (with ``error``). A run writes its
proposals, unplaced applicants and stats in one transaction, so a round is all there or not
there; a failure is recorded afterwards in a transaction of its own.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.registry.selectors import STATUS_LABELS
from matching.models import Application, Program, Proposal, Round, Unplaced
from matching.notifications import live_notify
from matching.selectors.groups import PARTNER_PLACED
from matching.selectors.rounds import applications_for_round, pair_history
from matching.services.exchange import exchange_problem_for_round, exchange_round_write
from matching.services.solver_input import round_problem
from matching.solver import solve
from matching.solver.exchange import EXCHANGE_CRITERIA, ExchangePinError, solve_exchange
from matching.solver.score import CRITERIA
from matching.solver.types import PinError, Problem, Result, SolverInputError

logger = logging.getLogger(__name__)

# Where an applicant without a usable profile is recorded; the solver never sees them.
PROFILE_INCOMPLETE = "profile_incomplete"
# Where the registry keeps an applicant out (a family not approved, a student not confirmed),
# with the person's status as its ``status`` param; the solver never sees them either.
NOT_IN_GOOD_STANDING = "registry_status"


# --- Starting a round ------------------------------------------------------------------------


def _check_criteria(
    weights: Mapping[str, float], criteria: tuple[str, ...], errors: dict[str, list[str]]
) -> dict[str, float]:
    """The weights, when each names a criterion of the programme's kind (their range was
    checked at the edge: ``matching.solver.score.MAX_WEIGHT``)."""
    unknown = [name for name in weights if name not in criteria]
    if unknown:
        errors["weights"] = [
            _("Unknown criterion %(name)r; the criteria are %(known)s.")
            % {"name": unknown[0], "known": ", ".join(criteria)}
        ]
        return {}
    return {name: float(value) for name, value in weights.items()}


def _unique_pairs(pairs: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Each pair once, in the order given."""
    return list(dict.fromkeys((first, second) for first, second in pairs))


def _check_pair_applications(
    program: Program,
    pins: list[tuple[int, int]],
    forbids: list[tuple[int, int]],
    errors: dict[str, list[str]],
) -> None:
    """Each id must be an active application of this programme, in the right role for a home
    visit ([student, host]; a language exchange has no sides, only two different people); a
    pinned applicant must still be free and pinned once; a pin may not also be forbidden."""
    exchange = program.kind == Program.Kind.LANGUAGE_EXCHANGE
    ids = {x for pair in (*pins, *forbids) for x in pair}
    rows = {
        row["id"]: row
        for row in Application.objects.filter(pk__in=ids, program=program).values(
            "id", "role", "status"
        )
    }
    for field, pairs in (("pins", pins), ("forbids", forbids)):
        for first, second in pairs:
            if exchange and first == second:
                errors[field] = [_("A pair needs two different applications.")]
                break
            for app_id, role in ((first, Role.STUDENT), (second, Role.HOST)):
                row = rows.get(app_id)
                if row is None or (not exchange and row["role"] != role):
                    errors[field] = (
                        [_("%(id)s is not an application of this programme.") % {"id": app_id}]
                        if exchange
                        else [
                            _("%(id)s is not a %(role)s application of this programme.")
                            % {"id": app_id, "role": role}
                        ]
                    )
                    break
                if row["status"] != Application.Status.ACTIVE:
                    errors[field] = [_("Application %(id)s was withdrawn.") % {"id": app_id}]
                    break
            if field in errors:
                break
    if "pins" in errors:
        return
    # In a language exchange both members of a pin are placed; at a home visit, the student.
    pinned = [x for pair in pins for x in (pair if exchange else pair[:1])]
    twice = sorted({x for x in pinned if pinned.count(x) > 1})
    live = Proposal.objects.filter(status__in=Proposal.LIVE)
    busy = set(
        live.filter(student_application_id__in=pinned).values_list(
            "student_application_id", flat=True
        )
    )
    if exchange:
        busy |= set(
            live.filter(host_application_id__in=pinned).values_list(
                "host_application_id", flat=True
            )
        )
    forbidden = {frozenset(p) if exchange else p for p in forbids}
    clash = sorted(p for p in pins if (frozenset(p) if exchange else p) in forbidden)
    if twice:
        errors["pins"] = [_("Application %(id)s is pinned more than once.") % {"id": twice[0]}]
    elif busy:
        errors["pins"] = [_("Application %(id)s already has a live proposal.") % {"id": min(busy)}]
    elif "forbids" not in errors and clash:
        errors["pins"] = [
            _("The pair [%(s)s, %(h)s] is both pinned and forbidden.")
            % {"s": clash[0][0], "h": clash[0][1]}
        ]


def _notify_status(rnd: Round) -> None:
    """A live ``round.status`` event to the round's coordinator, sent on commit by the owner of
    the notification stream (chat, through ``matching.signals.live_event``)."""
    live_notify(
        user_ids=[rnd.created_by_id],
        event={"kind": "round.status", "round": rnd.pk, "status": rnd.status},
    )


@transaction.atomic
def round_start(
    *,
    program: Program,
    by: User,
    weights: Mapping[str, float] | None = None,
    pins: Sequence[Sequence[int]] | None = None,
    forbids: Sequence[Sequence[int]] | None = None,
    mode: str = Round.Mode.OPTIMAL,
) -> Round:
    """Record a queued round of ``program`` and enqueue ``matching.round_run`` on commit.

    ``weights`` override the solver's default weight of each named criterion; ``pins`` and
    ``forbids`` are ``[student_application_id, host_application_id]`` pairs of this programme
    (in a language exchange, any two different applications of it).
    Locks the programme row so that two starts get consecutive numbers. Sends a
    ``round.status`` event on commit. Raises PermissionDenied for a non-coordinator and
    ValidationError naming the bad field (nothing stored)."""
    if by.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only coordinators run rounds."))
    program = Program.objects.select_for_update().get(pk=program.pk)
    errors: dict[str, list[str]] = {}
    if program.status != Program.Status.OPEN:
        errors["program"] = [_("This programme is closed.")]
    criteria = CRITERIA if program.kind == Program.Kind.HOME_VISIT else EXCHANGE_CRITERIA
    clean_weights = _check_criteria(weights or {}, criteria, errors)
    pin_pairs = _unique_pairs(pins or [])
    forbid_pairs = _unique_pairs(forbids or [])
    _check_pair_applications(program, pin_pairs, forbid_pairs, errors)
    if errors:
        raise ValidationError(errors)
    last = Round.objects.filter(program=program).aggregate(n=Max("number"))["n"] or 0
    rnd = Round.objects.create(
        program=program,
        number=last + 1,
        mode=mode,
        weights=clean_weights,
        pins=[list(p) for p in pin_pairs],
        forbids=[list(p) for p in forbid_pairs],
        lottery_seed=secrets.randbits(32),
        created_by=by,
    )
    from matching.tasks.rounds import round_run as round_run_task

    round_id = rnd.pk
    transaction.on_commit(lambda: round_run_task.delay(round_id))
    _notify_status(rnd)
    return rnd


# --- Running a round -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-ready copy of solver output (numpy scalars and arrays become Python values)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray | np.generic):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _stats(problem: Problem, result: Result, solve_ms: float) -> dict[str, Any]:
    """API.md's stats keys (computed here, so they are there whatever the solver adds), then
    everything the solver measured (histogram, blocking pairs, timings...)."""
    scores = [a.score for a in result.assignments]
    stats: dict[str, Any] = {
        "students": len(problem.students),
        "hosts": len(problem.hosts),
        "slots": sum(sum(h.seats.values()) for h in problem.hosts),
        "matched": len(scores),
        "unmatched": len(result.unplaced_students),
        "total_score": round(sum(scores), 6),
        "mean_score": round(sum(scores) / len(scores), 6) if scores else 0.0,
        "min_score": round(min(scores), 6) if scores else 0.0,
        "solve_ms": round(solve_ms, 1),
    }
    for key, value in _plain(result.stats).items():
        stats.setdefault(key, value)
    return stats


def _skipped_reason() -> list[dict[str, Any]]:
    return [
        {
            "code": PROFILE_INCOMPLETE,
            "params": {},
            "text": _("The profile lacks a field the matcher needs (such as the home station)."),
        }
    ]


def _registry_reason(role: str, status: str) -> list[dict[str, Any]]:
    text = (
        _("The family is not approved for hosting (its registration is %(status)s).")
        if role == Role.HOST
        else _("The student is not confirmed by a partner school (%(status)s).")
    )
    return [
        {
            "code": NOT_IN_GOOD_STANDING,
            "params": {"status": status},
            "text": text % {"status": STATUS_LABELS.get(status, status)},
        }
    ]


def _apart_reason(code: str, partner: int) -> list[dict[str, Any]]:
    text = (
        _("Placed only together with %(partner)s, who already has a visit in this programme.")
        if code == PARTNER_PLACED
        else _("Placed only together with %(partner)s, who cannot be placed in this round.")
    )
    return [{"code": code, "params": {"partner": partner}, "text": text % {"partner": partner}}]


def _write_draft(
    rnd: Round,
    problem: Problem,
    result: Result,
    skipped: list[Application],
    solve_ms: float,
    ineligible: Sequence[tuple[Application, str]] = (),
    apart: Sequence[tuple[Application, str, int]] = (),
) -> None:
    # The problem's date indices are positions in the programme's dates (``round_problem``).
    dates = rnd.program.days
    Proposal.objects.bulk_create(
        Proposal(
            round=rnd,
            program_id=rnd.program_id,
            student_application_id=a.student_key,
            host_application_id=a.host_key,
            date=dates[a.date_index],
            score=float(a.score),
            breakdown=_plain(a.breakdown),
            status=Proposal.Status.DRAFT,
        )
        for a in result.assignments
    )
    # A family with no seat left anywhere is full, not left over: it gets no unplaced row.
    has_seats = {h.key for h in problem.hosts if any(h.seats.values())}
    unplaced = [
        Unplaced(round=rnd, application_id=u.key, reasons=[r.as_dict() for r in u.reasons])
        for u in result.unplaced_students
    ]
    unplaced += [
        Unplaced(round=rnd, application_id=u.key, reasons=[r.as_dict() for r in u.reasons])
        for u in result.unplaced_hosts
        if u.key in has_seats
    ]
    unplaced += [Unplaced(round=rnd, application=a, reasons=_skipped_reason()) for a in skipped]
    unplaced += [
        Unplaced(round=rnd, application=a, reasons=_registry_reason(a.role, status))
        for a, status in ineligible
    ]
    unplaced += [
        Unplaced(round=rnd, application=a, reasons=_apart_reason(code, partner))
        for a, code, partner in apart
    ]
    for row in unplaced:
        row.reasons = _plain(row.reasons)
    Unplaced.objects.bulk_create(unplaced)
    rnd.stats = _stats(problem, result, solve_ms)
    rnd.stats["skipped"] = len(skipped)
    rnd.stats["ineligible"] = len(ineligible)
    rnd.stats["apart"] = len(apart)
    rnd.groups = [list(pair) for pair in problem.groups]
    rnd.status = Round.Status.DRAFT
    rnd.error = ""
    rnd.finished_at = timezone.now()
    rnd.save(update_fields=["stats", "groups", "status", "error", "finished_at"])


def _run_home_visit(rnd: Round) -> None:
    pool = applications_for_round(program=rnd.program)
    history = pair_history(pool=pool)
    problem, skipped = round_problem(rnd=rnd, pool=pool, history=history)
    started = time.perf_counter()
    result = solve(problem)
    solve_ms = (time.perf_counter() - started) * 1000
    _write_draft(rnd, problem, result, skipped, solve_ms, pool.ineligible, pool.apart)


def _run_exchange(rnd: Round) -> None:
    # The language-exchange part (services.exchange) builds the problem and writes the draft.
    problem = exchange_problem_for_round(round=rnd)
    started = time.perf_counter()
    result = solve_exchange(problem)
    solve_ms = (time.perf_counter() - started) * 1000
    result.stats.setdefault("solve_ms", round(solve_ms, 1))
    exchange_round_write(round=rnd, result=result)


def _claim(round_id: int, statuses: tuple[str, ...]) -> Round | None:
    """The round row, locked, if its status is one of ``statuses`` and no other run holds it.

    ``skip_locked``: a run in progress holds the row lock for its whole solve, so a redelivered
    task sees nothing to do; a row that says running but is not locked was left by a dead
    worker, and may be run again."""
    rnd = (
        Round.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("program", "created_by")
        .filter(pk=round_id)
        .first()
    )
    if rnd is None or rnd.status not in statuses:
        return None
    return rnd


def round_run(*, round_id: int) -> Round | None:
    """Run a queued round: what the ``matching.round_run`` task calls.

    1. Locks the round; unless it is queued (or running but abandoned by a dead worker) returns
       None: a redelivered or repeated task does nothing. Marks it running and commits.
    2. In one transaction, holding the round's row lock: reads the free applicants and their
       history, encodes them, solves, writes the draft proposals, the unplaced applicants with
       their reasons and the stats, and marks the round draft.
    3. On any error, that transaction rolls back and the round is marked failed with the error,
       in a transaction of its own. An OperationalError (the database went away) is re-raised
       instead, leaving the round running and unlocked, for the task's retry to pick up.

    Sends ``round.status`` events (running, then draft or failed) on commit."""
    with transaction.atomic():
        rnd = _claim(round_id, (Round.Status.QUEUED, Round.Status.RUNNING))
        if rnd is None:
            return None
        rnd.status = Round.Status.RUNNING
        rnd.started_at = timezone.now()
        rnd.save(update_fields=["status", "started_at"])
        _notify_status(rnd)
        language = rnd.created_by.preferred_language
    # The reasons and any error are stored as text: in the coordinator's language.
    with translation.override(language):
        return _run_claimed(round_id)


def _run_claimed(round_id: int) -> Round | None:
    try:
        with transaction.atomic():
            rnd = _claim(round_id, (Round.Status.RUNNING,))
            if rnd is None:
                return None
            if rnd.program.kind == Program.Kind.LANGUAGE_EXCHANGE:
                _run_exchange(rnd)
            else:
                _run_home_visit(rnd)
            _notify_status(rnd)
            return rnd
    except OperationalError:
        raise
    except (PinError, ExchangePinError) as exc:
        message = _("A pinned pair cannot be placed: %(detail)s") % {"detail": exc}
        return round_fail(round_id=round_id, error=message)
    except SolverInputError as exc:
        message = _("The solver refused the input: %(detail)s") % {"detail": exc}
        return round_fail(round_id=round_id, error=message)
    except Exception as exc:
        logger.exception("round %s failed", round_id)
        message = _("The round failed: %(kind)s: %(detail)s") % {
            "kind": type(exc).__name__,
            "detail": exc,
        }
        return round_fail(round_id=round_id, error=message)


@transaction.atomic
def round_fail(*, round_id: int, error: str) -> Round | None:
    """Mark a queued or running round failed with ``error`` (also used by the task when its
    retries run out). A round that already ended keeps its status. Sends ``round.status``."""
    rnd = Round.objects.select_for_update().filter(pk=round_id).first()
    if rnd is None or rnd.status not in (Round.Status.QUEUED, Round.Status.RUNNING):
        return rnd
    rnd.status = Round.Status.FAILED
    rnd.error = error[:4000]
    rnd.finished_at = timezone.now()
    rnd.save(update_fields=["status", "error", "finished_at"])
    _notify_status(rnd)
    return rnd
