"""The coordinator's pages, mounted at /coordinator/ (namespace ``frontend:coordinator``)."""

from django.urls import path

from frontend.views.coordinator import (
    announcements,
    answers,
    applications,
    exports,
    programs,
    reports,
    rounds,
    visit_day,
)

app_name = "coordinator"

urlpatterns = [
    path("", programs.programs, name="programs"),
    path("programs/new/", programs.program_create, name="program_create"),
    path("programs/<int:program_id>/", programs.program_detail, name="program"),
    path("programs/<int:program_id>/close/", programs.program_close, name="program_close"),
    path(
        "programs/<int:program_id>/applications/",
        applications.applications,
        name="applications",
    ),
    path(
        "applications/<int:application_id>/",
        applications.application_detail,
        name="application",
    ),
    path("programs/<int:program_id>/rounds/new/", rounds.round_start, name="round_start"),
    path("programs/<int:program_id>/compare/", rounds.rounds_compare, name="rounds_compare"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round"),
    path("rounds/<int:round_id>/publish/", rounds.round_publish, name="round_publish"),
    path("programs/<int:program_id>/answers/", answers.answers, name="answers"),
    path("proposals/<int:proposal_id>/", answers.proposal_detail, name="proposal"),
    path("proposals/<int:proposal_id>/remind/", answers.proposal_remind, name="proposal_remind"),
    path("proposals/<int:proposal_id>/answer/", answers.proposal_answer, name="proposal_answer"),
    path("proposals/<int:proposal_id>/cancel/", answers.proposal_cancel, name="proposal_cancel"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", reports.report_resolve, name="report_resolve"),
    path(
        "conversations/<int:conversation_id>/close/",
        reports.conversation_close,
        name="conversation_close",
    ),
    path(
        "programs/<int:program_id>/announce/",
        announcements.announcement,
        name="announcement",
    ),
    path("programs/<int:program_id>/visits.csv", exports.visits_csv, name="visits_csv"),
    path("programs/<int:program_id>/visit-day/", visit_day.visit_day, name="visit_day"),
    path(
        "proposals/<int:proposal_id>/attendance/",
        visit_day.attendance_settle,
        name="attendance_settle",
    ),
]
