"""A language-exchange pairing as one partner sees it: who teaches whom which language (with
both levels), the weekly times the two share, and how they meet. The round stored the solver's
directions and meeting mode for each pair (``round.stats["exchange_pairs"]``); the levels come
from the profiles, as the solver read them (``matching.services.exchange``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accounts.models import HostProfile, StudentProfile, User
from accounts.selectors import weekly_slot_labels, weekly_slots_in_order
from matching.models import Application, Program, Proposal, Round
from matching.services.exchange import LEARNED_LEVEL_IF_MISSING, TAUGHT_LEVEL_IF_MISSING


@dataclass(frozen=True)
class Direction:
    language: str  # a language code
    teacher_level: str
    learner_level: str

    def as_json(self) -> dict[str, str]:
        return {
            "language": self.language,
            "teacher_level": self.teacher_level,
            "learner_level": self.learner_level,
        }


@dataclass(frozen=True)
class ExchangePairing:
    they_teach: list[Direction]  # the partner teaches the viewer
    you_teach: list[Direction]  # the viewer teaches the partner
    shared_slots: list[str]  # weekly slot labels in the active language, in grid order
    meeting: str  # "online", "in_person", or "" when the round did not say
    shared_slot_codes: list[str]  # the same slots as codes ("sat-am"), in grid order

    def as_json(self) -> dict[str, Any]:
        """API.md's ``exchange`` of a party's proposal."""
        return {
            "they_teach": [d.as_json() for d in self.they_teach],
            "you_teach": [d.as_json() for d in self.you_teach],
            "shared_slots": self.shared_slot_codes,
            "format": self.meeting or None,
        }


def _levels(rows: list[tuple[int, Any]]) -> dict[int, dict[str, str]]:
    """By user id, each profile language's level."""
    return {
        user_id: {
            item["code"]: item["level"]
            for item in languages or []
            if isinstance(item, dict) and item.get("code")
        }
        for user_id, languages in rows
    }


def exchange_pairings(*, proposals: Sequence[Proposal], viewer: User) -> dict[int, ExchangePairing]:
    """By proposal id, the language-exchange ones among ``proposals`` (of which ``viewer`` is
    a party) as ``viewer`` sees them. Four queries whatever the rows (none without one)."""
    exchange = [p for p in proposals if p.program.kind == Program.Kind.LANGUAGE_EXCHANGE]
    if not exchange:
        return {}
    app_ids = {p.student_application_id for p in exchange} | {
        p.host_application_id for p in exchange
    }
    apps: dict[int, dict[str, Any]] = {
        row["id"]: dict(row)
        for row in Application.objects.filter(id__in=app_ids).values(
            "id", "user_id", "teaches", "learns", "time_slots"
        )
    }
    users = {row["user_id"] for row in apps.values()}
    levels = _levels(
        [
            *StudentProfile.objects.filter(user_id__in=users).values_list("user_id", "languages"),
            *HostProfile.objects.filter(user_id__in=users).values_list("user_id", "languages"),
        ]
    )
    stats = dict(
        Round.objects.filter(id__in={p.round_id for p in exchange}).values_list("id", "stats")
    )
    result: dict[int, ExchangePairing] = {}
    for proposal in exchange:
        pair = [apps[proposal.student_application_id], apps[proposal.host_application_id]]
        mine, theirs = pair if pair[0]["user_id"] == viewer.pk else pair[::-1]
        info = ((stats.get(proposal.round_id) or {}).get("exchange_pairs") or {}).get(
            str(proposal.pk)
        ) or {}
        directions = [(d["teacher"], d["language"]) for d in info.get("directions", [])] or [
            *((theirs["id"], c) for c in theirs["teaches"] or [] if c in (mine["learns"] or [])),
            *((mine["id"], c) for c in mine["teaches"] or [] if c in (theirs["learns"] or [])),
        ]

        def direction(teacher: dict[str, Any], learner: dict[str, Any], code: str) -> Direction:
            return Direction(
                language=code,
                teacher_level=levels.get(teacher["user_id"], {}).get(code, TAUGHT_LEVEL_IF_MISSING),
                learner_level=levels.get(learner["user_id"], {}).get(
                    code, LEARNED_LEVEL_IF_MISSING
                ),
            )

        shared = weekly_slots_in_order(
            list(set(mine["time_slots"] or []) & set(theirs["time_slots"] or []))
        )
        result[proposal.pk] = ExchangePairing(
            they_teach=[direction(theirs, mine, c) for t, c in directions if t == theirs["id"]],
            you_teach=[direction(mine, theirs, c) for t, c in directions if t == mine["id"]],
            shared_slots=weekly_slot_labels(shared),
            meeting=str(info.get("meeting") or ""),
            shared_slot_codes=shared,
        )
    return result
