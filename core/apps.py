from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Activity"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app declares its long jobs in its own jobs.py (core.jobs.JobKind
        # subclasses, registered there): core imports none of the apps.
        autodiscover_modules("jobs")
