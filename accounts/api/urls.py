from django.urls import path

from accounts.api import credentials, deletion, imports, people, views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="api-register"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/ws-ticket/", views.WsTicketView.as_view(), name="api-ws-ticket"),
    *credentials.urlpatterns,
    *deletion.urlpatterns,  # DELETE me/: the same view plus delete, so it comes first
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/profile/", views.ProfileView.as_view(), name="api-me-profile"),
    path("reference/", views.ReferenceView.as_view(), name="api-reference"),
    path("imports/", imports.ImportView.as_view(), name="api-imports"),
    *people.urlpatterns,
]
