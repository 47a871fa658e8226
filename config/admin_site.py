"""The admin site: staff must have passed the second factor.

Its index is each role's home (config.homes); the stock model index lives
on at "sections/", one click away from every home.
"""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _


class EcrinAdminSite(admin.AdminSite):
    site_url = None

    def has_permission(self, request):
        user = request.user
        # is_verified() comes from django_otp's middleware: True once this
        # session passed a TOTP or backup code.
        return (
            user.is_active
            and user.is_staff
            and callable(getattr(user, "is_verified", None))
            and user.is_verified()
        )

    def login(self, request, extra_context=None):
        from core.auth_views import staff_login

        return staff_login(request)

    def get_urls(self):
        return [
            path("sections/", self.admin_view(self.sections), name="sections"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """The person's home: their roles' panels; the sections index for
        someone who holds no role."""
        from config.homes import home_context

        context = home_context(request.user)
        if not context["panels"]:
            return self.sections(request, extra_context)
        return TemplateResponse(
            request,
            "admin/home.html",
            {
                **self.each_context(request),
                "title": context["home_title"],
                **context,
                **(extra_context or {}),
            },
        )

    def sections(self, request, extra_context=None):
        """Every section the person may open: the stock model index."""
        return super().index(
            request, {"title": _("All sections"), **(extra_context or {})}
        )
