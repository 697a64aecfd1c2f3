"""The web pages. The coordinator's pages live in ``frontend.coordinator_urls``."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from frontend.forms import PasswordResetRequestForm
from frontend.ratelimit import limit_posts
from frontend.views import (
    account,
    chat,
    dashboard,
    groups,
    incidents,
    profile,
    programs,
    proposals,
    public,
    registration,
    visits,
)

app_name = "frontend"

urlpatterns = [
    path("", public.home, name="home"),
    path("signup/", limit_posts("auth")(public.signup), name="signup"),
    path("login/", public.EngawaLoginView.as_view(), name="login"),
    # Django flushes the session, and chat closes the user's sockets (chat.signals). The pages
    # mint no API token or WebSocket ticket (their sockets use the session cookie), so the
    # session is all there is to revoke.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", public.set_language, name="set_language"),
    path("reading-aid/", public.set_reading_aid, name="reading_aid"),
    path(
        "password-reset/",
        limit_posts("auth")(
            auth_views.PasswordResetView.as_view(
                template_name="frontend/auth/password_reset_form.html",
                form_class=PasswordResetRequestForm,
                success_url=reverse_lazy("frontend:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="frontend/auth/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="frontend/auth/password_reset_confirm.html",
            success_url=reverse_lazy("frontend:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="frontend/auth/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("verify-email/<str:token>/", account.email_confirm, name="email_verify"),
    path(
        "verify-email-again/",
        limit_posts("auth")(account.email_resend),
        name="email_verify_resend",
    ),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("profile/", profile.overview, name="profile"),
    # Before the profile's steps, whose slug would take "password".
    path("profile/password/", account.password, name="password_change"),
    path("profile/<slug:step>/", profile.step, name="profile_step"),
    path("registration/", registration.registration, name="registration"),
    path("programmes/", programs.program_list, name="programs"),
    path("programmes/<int:program_id>/", programs.program_apply, name="program_apply"),
    path(
        "programmes/<int:program_id>/withdraw/",
        programs.program_withdraw,
        name="program_withdraw",
    ),
    path(
        "programmes/<int:program_id>/not-alone/",
        programs.program_not_alone,
        name="program_not_alone",
    ),
    path(
        "programmes/<int:program_id>/together/",
        groups.group_invite,
        name="group_invite",
    ),
    path("together/<int:request_id>/confirm/", groups.group_confirm, name="group_confirm"),
    path("together/<int:request_id>/decline/", groups.group_decline, name="group_decline"),
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/<int:proposal_id>/accept/", proposals.proposal_accept, name="proposal_accept"),
    path(
        "proposals/<int:proposal_id>/decline/",
        proposals.proposal_decline,
        name="proposal_decline",
    ),
    path("visits/", proposals.visit_list, name="visits"),
    path("visits/<int:proposal_id>/", visits.visit_detail, name="visit"),
    path("visits/<int:proposal_id>/meeting/", visits.visit_meeting, name="visit_meeting"),
    path("visits/<int:proposal_id>/attendance/", visits.visit_attendance, name="visit_attendance"),
    path(
        "visits/<int:proposal_id>/calendar.ics",
        visits.visit_calendar,
        name="visit_calendar",
    ),
    path(
        "visits/<int:proposal_id>/report-a-problem/",
        incidents.visit_incident,
        name="visit_incident",
    ),
    path("messages/", chat.conversation_list, name="conversations"),
    path("messages/<int:conversation_id>/", chat.conversation_detail, name="chat"),
    path("messages/<int:conversation_id>/block/", chat.conversation_block, name="chat_block"),
    path(
        "messages/<int:conversation_id>/report/<int:message_id>/",
        chat.message_report,
        name="chat_report",
    ),
    path("coordinator/", include("frontend.coordinator_urls")),
]
