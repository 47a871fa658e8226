from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from config import health
from config.views import favicon, house_theme
from consents import public_views as consents_public
from core import auth_views as staff_auth
from core.preferences import my_preferences

admin.site.site_header = settings.HOUSE_NAME
admin.site.site_title = f"{settings.HOUSE_NAME} · Écrin"
admin.site.index_title = _("Back office")

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("favicon.ico", favicon),
    path("theme.css", house_theme, name="house-theme"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path(
        "admin/login/verify/", staff_auth.staff_login_verify, name="staff-login-verify"
    ),
    path("admin/login/enrol/", staff_auth.staff_login_enrol, name="staff-login-enrol"),
    # Password reset signs no one in (post_reset_login is False): the next
    # sign-in asks for the password and the second factor.
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("password_reset_done")
        ),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "admin/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            post_reset_login=False, success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "admin/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "admin/preferences/",
        admin.site.admin_view(my_preferences),
        name="staff-preferences",
    ),
    # The client's own links in outreach messages: public, no login
    # (consents.public_views, docs/decisions/0068).
    path(
        "u/<str:token>/",
        consents_public.unsubscribe_view,
        name="consents-unsubscribe",
    ),
    path(
        "p/<str:token>/",
        consents_public.preferences_view,
        name="consents-preferences",
    ),
    path("admin/", admin.site.urls),
    # The website intake API (decision 0075).
    path("api/v1/", include("consents.api.urls")),
]
