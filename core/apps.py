from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Activity")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from core import checks, hooks, services  # noqa: F401 - registers the checks
        from core.dbroles import grant_after_migrate

        # Each app declares its long jobs in its own jobs.py (core.jobs.JobKind
        # subclasses, registered there): core imports none of the apps.
        autodiscover_modules("jobs")

        hooks.register_access_recorder(services.access_log_record)

        from django.contrib.auth.signals import user_logged_in

        from core.localisation import remember_time_zone
        from core.session_clock import start_session_clock

        user_logged_in.connect(remember_time_zone, dispatch_uid="core-time-zone")
        user_logged_in.connect(start_session_clock, dispatch_uid="core-session-clock")

        # post_migrate is sent once per app after the whole run; the
        # grants need to run once, with every table in place.
        post_migrate.connect(
            grant_after_migrate, sender=self, dispatch_uid="core-db-grants"
        )
