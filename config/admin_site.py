"""The admin site: staff must have passed the second factor.

Its index is each role's home (config.homes); the stock model index lives
on at "sections/", one click away from every home.
"""

import threading
from collections import OrderedDict

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, path
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# The app list (the sidebar and the sections index) of each distinct
# permission set, per language: at most this many kept per process.
APP_LIST_CACHE_SIZE = 256


class EcrinAdminSite(admin.AdminSite):
    site_url = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists = OrderedDict()
        self._app_lists_lock = threading.Lock()

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

    def get_app_list(self, request, app_label=None):
        """The stock app list, built once per permission set and language.

        Every admin page puts it in its context (the nav sidebar): a
        permission check and two URL reversals per registered model. What
        it holds depends only on what the person may do (every ModelAdmin's
        has_*_permission without an object reads the user's permissions
        and nothing else), so it is kept per process under a key made of
        the person's permissions, as loaded for this request, their
        active and superuser flags, the language and the URL prefix. A
        permission granted or withdrawn changes the key on the person's
        next request: nothing to invalidate (decision 0114).
        """
        if app_label is not None:
            return super().get_app_list(request, app_label)
        user = request.user
        key = (
            frozenset(user.get_all_permissions()),
            user.is_active,
            user.is_superuser,
            get_language(),
            get_script_prefix(),
        )
        with self._app_lists_lock:
            cached = self._app_lists.get(key)
            if cached is not None:
                self._app_lists.move_to_end(key)
        if cached is None:
            cached = super().get_app_list(request)
            with self._app_lists_lock:
                self._app_lists[key] = cached
                while len(self._app_lists) > APP_LIST_CACHE_SIZE:
                    self._app_lists.popitem(last=False)
        # Fresh dicts and lists: a caller may sort or change its copy.
        return [
            {**app, "models": [dict(model) for model in app["models"]]}
            for app in cached
        ]

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
