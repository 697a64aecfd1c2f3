"""Root URLs: the API under /api/, the admin, and the web pages."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.api.urls import urlpatterns as accounts_api
from chat.api.urls import urlpatterns as chat_api
from frontend.views.public import api_docs
from matching.api.urls import urlpatterns as matching_api

# Every API route in one flat list: a nested list that misses tries every pattern in it.
api = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="api-docs"),
    *accounts_api,
    *matching_api,
    *chat_api,
]

urlpatterns = [
    path("api/", include(api)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontend.urls")),
]

# JSON for an /api/ path that matches no route; the pages' own 404 page otherwise.
handler404 = "config.api.not_found"
