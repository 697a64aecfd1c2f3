"""The coordinator's pages, mounted at /coordinator/ (namespace ``frontend:coordinator``)."""

from django.urls import path

from frontend.views.coordinator import (
    announcements,
    answers,
    applications,
    city_report,
    exports,
    imports,
    incidents,
    people,
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
    path("programs/<int:program_id>/reoffer/", programs.program_reoffer, name="program_reoffer"),
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
    path("incidents/", incidents.incidents, name="incidents"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident"),
    path(
        "incidents/<int:incident_id>/follow-up/",
        incidents.incident_follow_up,
        name="incident_follow_up",
    ),
    path("incidents/<int:incident_id>/notes/", incidents.incident_note, name="incident_note"),
    path("proposals/<int:proposal_id>/incident/", incidents.incident_open, name="incident_open"),
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
    path("report-to-the-city/", city_report.city_report_page, name="city_report"),
    path("registry/import/", imports.imports, name="imports"),
    path("registry/import/commit/", imports.import_commit, name="import_commit"),
    path(
        "registry/template/<slug:kind>-<slug:language>.xlsx",
        imports.import_template,
        name="import_template",
    ),
    path("people/", people.people, name="people"),
    path("people/<int:user_id>/", people.person, name="person"),
    path("people/<int:user_id>/checks/", people.person_check, name="person_check"),
    path("people/<int:user_id>/suspend/", people.person_suspend, name="person_suspend"),
    path("people/<int:user_id>/reinstate/", people.person_reinstate, name="person_reinstate"),
    path("people/<int:user_id>/confirm/", people.person_confirm, name="person_confirm"),
    path("programs/<int:program_id>/visit-day/", visit_day.visit_day, name="visit_day"),
    path(
        "proposals/<int:proposal_id>/attendance/",
        visit_day.attendance_settle,
        name="attendance_settle",
    ),
]
