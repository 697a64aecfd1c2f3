"""The coordinator's pages, mounted at /coordinator/ (namespace ``frontend:coordinator``)."""

from django.urls import path

from frontend import coordinator_views as views

app_name = "coordinator"

urlpatterns = [
    path("", views.programs, name="programs"),
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path("programs/<int:program_id>/close/", views.program_close, name="program_close"),
    path("programs/<int:program_id>/applications/", views.applications, name="applications"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("programs/<int:program_id>/rounds/new/", views.round_start, name="round_start"),
    path("programs/<int:program_id>/compare/", views.rounds_compare, name="rounds_compare"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/publish/", views.round_publish, name="round_publish"),
    path("programs/<int:program_id>/answers/", views.answers, name="answers"),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:proposal_id>/remind/", views.proposal_remind, name="proposal_remind"),
    path("proposals/<int:proposal_id>/answer/", views.proposal_answer, name="proposal_answer"),
    path("proposals/<int:proposal_id>/cancel/", views.proposal_cancel, name="proposal_cancel"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", views.report_resolve, name="report_resolve"),
    path(
        "conversations/<int:conversation_id>/close/",
        views.conversation_close,
        name="conversation_close",
    ),
    path("programs/<int:program_id>/announce/", views.announcement, name="announcement"),
    path("programs/<int:program_id>/visits.csv", views.visits_csv, name="visits_csv"),
]
