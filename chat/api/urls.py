from django.urls import path

from chat.api import views

urlpatterns = [
    path("conversations/", views.ConversationListView.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>/messages/",
        views.ConversationMessagesView.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read/",
        views.ConversationReadView.as_view(),
        name="api-conversation-read",
    ),
    path(
        "conversations/<int:conversation_id>/block/",
        views.ConversationBlockView.as_view(),
        name="api-conversation-block",
    ),
    path(
        "conversations/<int:conversation_id>/close/",
        views.ConversationCloseView.as_view(),
        name="api-conversation-close",
    ),
    path(
        "messages/<int:message_id>/report/",
        views.MessageReportView.as_view(),
        name="api-message-report",
    ),
    path("reports/", views.ReportListView.as_view(), name="api-reports"),
    path(
        "reports/<int:report_id>/resolve/",
        views.ReportResolveView.as_view(),
        name="api-report-resolve",
    ),
]
