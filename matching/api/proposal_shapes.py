"""What the proposal endpoints read and answer: input serializers, and the views of a
proposal for a party and for a coordinator."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from accounts.models import User
from matching.models import (
    REASON_MAX_LENGTH,
    Attendance,
    Feedback,
    MeetingPoint,
    Proposal,
    ProposalEvent,
)
from matching.selectors import attendance as attendance_selectors
from matching.selectors import proposals as selectors
from matching.selectors.meeting import meeting_of, meeting_points
from matching.visit_models import NOTE_MAX_LENGTH, PLACE_MAX_LENGTH

ANSWER = {"accepted": "accept", "declined": "decline"}
STATUS_HELP = "One of: " + ", ".join(Proposal.Status.values) + "."
ANSWER_HELP = '"accept", "decline", or null before that side answers.'
NOT_FOUND = OpenApiResponse(description="Missing, or the caller is not a party.")
CONFLICT = OpenApiResponse(description='{"detail": "..."}: the proposal\'s state forbids it.')


def _user_brief(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.name, "role": user.role}


def party_row(row: selectors.PartyProposal) -> dict[str, Any]:
    """A proposal as one of its parties sees it (ProposalOutput)."""
    return {
        "id": row.id,
        "program": row.program,
        "program_name": row.program_name,
        "kind": row.kind,
        "date": row.date.isoformat(),
        "status": row.status,
        "side": row.side,
        "counterpart": row.counterpart,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "conversation": row.conversation,
        "my_answer": ANSWER.get(row.my_answer),
        "their_answer": ANSWER.get(row.their_answer),
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
        "meeting": row.meeting.as_json(),
        "exchange": row.exchange.as_json() if row.exchange else None,
    }


def party_view(proposal: Proposal, viewer: User) -> dict[str, Any]:
    """A proposal as one of its parties sees it."""
    return party_row(selectors.party_proposal(proposal=proposal, viewer=viewer))


def attendance_view(rows: list[Attendance]) -> dict[str, Any]:
    """A visit's attendance for coordinators: each side's record, the outcome, a dispute."""
    records = {row.side: row.outcome for row in rows}
    return {
        "outcome": attendance_selectors.visit_outcome(records),
        "disputed": attendance_selectors.is_disputed(records),
        "records": [AttendanceOutput(row).data for row in rows],
    }


def coordinator_views(proposals: list[Proposal], viewer: User) -> list[dict[str, Any]]:
    """Proposals as a coordinator sees them, the days' meetings and the visits' attendance
    read for all of them at once (two queries whatever the rows)."""
    points = meeting_points(keys=[(p.program_id, p.date) for p in proposals])
    attendance = attendance_selectors.attendance_by_visit(proposal_ids=[p.pk for p in proposals])
    return [
        coordinator_view(
            p, viewer, point=points.get((p.program_id, p.date)), attendance=attendance.get(p.pk, [])
        )
        for p in proposals
    ]


def coordinator_view(
    proposal: Proposal,
    viewer: User,
    *,
    point: MeetingPoint | None,
    attendance: list[Attendance],
) -> dict[str, Any]:
    """A proposal as a coordinator sees it: both sides in full, contact details included, its
    meeting and its attendance (``point`` and ``attendance`` loaded by the caller)."""
    student = selectors.student_public(proposal.student_application.user)
    student.update(
        application=proposal.student_application_id, answer=ANSWER.get(proposal.student_answer)
    )
    host = selectors.host_public(proposal.host_application.user, with_contact=True)
    host.update(application=proposal.host_application_id, answer=ANSWER.get(proposal.host_answer))
    return {
        "id": proposal.pk,
        "program": proposal.program_id,
        "round": proposal.round_id,
        "round_number": proposal.round.number,
        "date": proposal.date.isoformat(),
        "status": proposal.status,
        "score": proposal.score,
        "breakdown": proposal.breakdown,
        "deadline": proposal.deadline.isoformat() if proposal.deadline else None,
        "reminded_at": proposal.reminded_at.isoformat() if proposal.reminded_at else None,
        "confirmed_at": proposal.confirmed_at.isoformat() if proposal.confirmed_at else None,
        "waiting_for": selectors.waiting_for(proposal),
        "student": student,
        "host": host,
        "conversation": selectors.conversation_id(proposal),
        "meeting": meeting_of(proposal=proposal, viewer=viewer, point=point).as_json(),
        "attendance": attendance_view(attendance),
    }


def view_for(proposal: Proposal, viewer: User) -> dict[str, Any]:
    if viewer.is_coordinator:
        return coordinator_views([proposal], viewer)[0]
    return party_view(proposal, viewer)


def reloaded_view(proposal_id: int, viewer: User) -> dict[str, Any]:
    proposal = selectors.proposal_visible_to(proposal_id=proposal_id, user=viewer)
    if proposal is None:  # pragma: no cover - the service just found it
        raise NotFound()
    return view_for(proposal, viewer)


# --- Serializers ------------------------------------------------------------------------------


class MeetingOutput(serializers.Serializer[Any]):
    """Where and when the two sides meet (documentation: the views return plain dicts)."""

    date = serializers.DateField()
    time = serializers.CharField(allow_null=True, help_text='"HH:MM", Japan time; null: not set.')
    place = serializers.CharField(
        help_text="The exit or landmark; empty before the visit is confirmed."
    )
    station = serializers.CharField(help_text="The meeting station's name; empty when not set.")
    map_url = serializers.URLField(
        required=False,
        allow_null=True,
        help_text="An OpenStreetMap link to the family's address; only where it is shown.",
    )


class MeetingInput(serializers.Serializer[Any]):
    time = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])
    place = serializers.CharField(max_length=PLACE_MAX_LENGTH)


class AttendanceInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Attendance.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)


class AttendanceOutput(serializers.ModelSerializer[Attendance]):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = ["id", "proposal", "side", "outcome", "note", "recorded_by", "updated_at"]

    def get_recorded_by(self, record: Attendance) -> dict[str, Any] | None:
        return _user_brief(record.recorded_by)


class ExchangeDirectionOutput(serializers.Serializer[Any]):
    language = serializers.CharField(help_text="A language code (ISO 639-1).")
    teacher_level = serializers.CharField(help_text="The teaching partner's level.")
    learner_level = serializers.CharField(help_text="The learning partner's level.")


class ExchangeOutput(serializers.Serializer[Any]):
    """A language-exchange pairing as the caller sees it (documentation)."""

    they_teach = ExchangeDirectionOutput(many=True, help_text="What the partner teaches you.")
    you_teach = ExchangeDirectionOutput(many=True, help_text="What you teach the partner.")
    shared_slots = serializers.ListField(
        child=serializers.CharField(), help_text='The weekly slots both gave ("sat-am").'
    )
    format = serializers.CharField(
        allow_null=True, help_text='"online" or "in_person"; null when the round did not say.'
    )


class ProposalOutput(serializers.Serializer[Any]):
    """Documentation of a party's view (the view returns plain dicts)."""

    id = serializers.IntegerField()
    program = serializers.IntegerField()
    program_name = serializers.CharField()
    kind = serializers.CharField(help_text='The programme\'s: "home_visit" or "language_exchange".')
    date = serializers.DateField()
    status = serializers.CharField(help_text=STATUS_HELP)
    side = serializers.CharField(help_text='"student" or "host": the caller\'s side.')
    counterpart = serializers.DictField()
    deadline = serializers.DateTimeField(allow_null=True)
    conversation = serializers.IntegerField(allow_null=True)
    my_answer = serializers.CharField(allow_null=True, help_text=ANSWER_HELP)
    their_answer = serializers.CharField(allow_null=True, help_text=ANSWER_HELP)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    meeting = MeetingOutput()
    exchange = ExchangeOutput(
        allow_null=True, help_text="A language exchange's pairing; null for a home visit."
    )


class CoordinatorProposalOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    program = serializers.IntegerField()
    round = serializers.IntegerField()
    date = serializers.DateField()
    status = serializers.CharField(help_text=STATUS_HELP)
    waiting_for = serializers.ListField(child=serializers.CharField())
    student = serializers.DictField()
    host = serializers.DictField()
    meeting = MeetingOutput()
    attendance = serializers.DictField(
        help_text="`outcome` (null while unsettled), `disputed`, and each side's `records`."
    )


class PublishOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    published = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.DictField())


class DeclineInput(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)


class CancelInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class OnBehalfInput(serializers.Serializer[Any]):
    side = serializers.ChoiceField(choices=["student", "host"])
    answer = serializers.ChoiceField(choices=["accept", "decline"])
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class StatusQuery(serializers.Serializer[Any]):
    status = serializers.ChoiceField(
        choices=Proposal.Status.choices, required=False, allow_blank=True
    )


class RemindOutput(serializers.Serializer[Any]):
    proposal = serializers.IntegerField()
    reminded = serializers.ListField(child=serializers.IntegerField())


class EventOutput(serializers.ModelSerializer[ProposalEvent]):
    actor = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()

    class Meta:
        model = ProposalEvent
        fields = ["id", "from_status", "to_status", "actor", "on_behalf_of", "reason", "created_at"]

    def get_actor(self, event: ProposalEvent) -> dict[str, Any] | None:
        return _user_brief(event.actor)

    def get_on_behalf_of(self, event: ProposalEvent) -> dict[str, Any] | None:
        return _user_brief(event.on_behalf_of)


class FeedbackInput(serializers.ModelSerializer[Feedback]):
    """The rating's range and the comment's length are the model's."""

    class Meta:
        model = Feedback
        fields = ["rating", "comment", "would_meet_again"]


class FeedbackOutput(serializers.ModelSerializer[Feedback]):
    author = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = ["id", "proposal", "author", "side", "rating", "comment", "would_meet_again",
                  "created_at"]  # fmt: skip

    def get_author(self, feedback: Feedback) -> dict[str, Any] | None:
        return _user_brief(feedback.author)

    def get_side(self, feedback: Feedback) -> str:
        return "host" if feedback.author.is_host else "student"


# --- Views ------------------------------------------------------------------------------------
