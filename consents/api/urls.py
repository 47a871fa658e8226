"""/api/v1/: the website intake API and its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from consents.api import views

app_name = "website-api"

urlpatterns = [
    path("accounts", views.AccountView.as_view(), name="accounts"),
    path("consents", views.ConsentView.as_view(), name="consents"),
    path("cookie-choices", views.CookieChoiceView.as_view(), name="cookie-choices"),
    path("web-events", views.WebEventView.as_view(), name="web-events"),
    path(
        "openapi.json",
        SpectacularAPIView.as_view(
            authentication_classes=[], permission_classes=[], custom_settings=None
        ),
        {"format": "json"},
        name="openapi",
    ),
]
