"""The admin site: staff must have passed the second factor."""

from django.contrib import admin


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
